package io.distillery.targets;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.npy.ParityFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;

/** Targets against fairseq's make_targets output (README "data2vec 2.0 targets", tolerance 2e-4). */
class ContextualizedTargetsParityTest {

    private static final double TOLERANCE = 2e-4;
    private static final String TEACHER = "teacher_beitv2/";
    private static final String STUDENT = "student_d2v2/";
    private static final int TEACHER_DEPTH = 4;
    private static final int STUDENT_DEPTH = 3;

    @Test
    void teacherFfnTargetsIncludeLayerScale() throws IOException {
        float[][] gamma2 = teacherGamma2();
        List<INDArray> ffn = blocks(TEACHER_DEPTH, l -> {
            INDArray mlp = ParityFiles.array(TEACHER + "mlp_out_" + twoDigits(l + 1));
            INDArray gamma = Nd4j.create(gamma2[l], new long[] {gamma2[l].length}, DataType.FLOAT);
            return Broadcast.mul(mlp, gamma, mlp.ulike(), 2);
        });
        assertTargets(ffn, TargetTensor.FFN, TEACHER_DEPTH, TEACHER + "target_d2v_ffn_topall", true);
        assertTargets(ffn, TargetTensor.FFN, 2, TEACHER + "target_d2v_ffn_top2", true);
    }

    @Test
    void teacherFfnWithoutLayerScale() {
        List<INDArray> mlp = blocks(TEACHER_DEPTH, l -> ParityFiles.array(TEACHER + "mlp_out_" + twoDigits(l + 1)));
        assertTargets(mlp, TargetTensor.FFN, TEACHER_DEPTH, TEACHER + "target_d2v_ffnnoscale_topall", false);
        assertTargets(mlp, TargetTensor.FFN, 2, TEACHER + "target_d2v_ffnnoscale_top2", false);
    }

    @Test
    void teacherBlockOutputTargets() {
        List<INDArray> out = blocks(TEACHER_DEPTH, l -> ParityFiles.array(TEACHER + "block_out_" + twoDigits(l + 1)));
        assertTargets(out, TargetTensor.BLOCK, TEACHER_DEPTH, TEACHER + "target_d2v_block_topall", false);
        assertTargets(out, TargetTensor.BLOCK, 2, TEACHER + "target_d2v_block_top2", false);
    }

    @Test
    void studentFfnTargets() {
        List<INDArray> mlp = blocks(STUDENT_DEPTH, l -> ParityFiles.array(STUDENT + "mlp_out_" + twoDigits(l + 1)));
        assertTargets(mlp, TargetTensor.FFN, STUDENT_DEPTH, STUDENT + "target_d2v_ffn_topall", true);
        assertTargets(mlp, TargetTensor.FFN, 2, STUDENT + "target_d2v_ffn_top2", true);
    }

    @Test
    void studentBlockOutputTargets() {
        List<INDArray> out = blocks(STUDENT_DEPTH, l -> ParityFiles.array(STUDENT + "block_out_" + twoDigits(l + 1)));
        assertTargets(out, TargetTensor.BLOCK, STUDENT_DEPTH, STUDENT + "target_d2v_block_topall", false);
        assertTargets(out, TargetTensor.BLOCK, 2, STUDENT + "target_d2v_block_top2", false);
    }

    private static void assertTargets(
            List<INDArray> perBlock, TargetTensor tensor, int k, String fixture, boolean checkAverage) {
        TargetRecipe recipe = new TargetRecipe(tensor, TargetTokens.PATCHES, k, TargetRecipe.DEFAULT_EPS);
        assertClose(ContextualizedTargets.compute(perBlock, recipe), ParityFiles.array(fixture), fixture);
        if (checkAverage) {
            assertClose(
                    ContextualizedTargets.average(perBlock, recipe),
                    ParityFiles.array(fixture + "_avg"),
                    fixture + "_avg");
        }
    }

    private static void assertClose(INDArray actual, INDArray expected, String name) {
        assertThat(actual.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(actual.shape()).as(name).isEqualTo(expected.shape());
        double maxAbs = actual.sub(expected).amaxNumber().doubleValue();
        System.out.printf(Locale.ROOT, "target parity %-40s max abs %.3e%n", name, maxAbs);
        assertThat(maxAbs).as(name + " max abs diff").isLessThanOrEqualTo(TOLERANCE);
    }

    private static List<INDArray> blocks(int depth, IntFunction<INDArray> block) {
        List<INDArray> out = new ArrayList<>();
        for (int l = 0; l < depth; l++) {
            out.add(block.apply(l));
        }
        return out;
    }

    private static String twoDigits(int i) {
        return String.format(Locale.ROOT, "%02d", i);
    }

    private static float[][] teacherGamma2() throws IOException {
        float[][] gamma = new float[TEACHER_DEPTH][];
        Path file = ParityFiles.file(TEACHER + "weights.safetensors");
        for (int l = 0; l < TEACHER_DEPTH; l++) {
            gamma[l] = SafetensorsF32.read(file, "blocks." + l + ".gamma_2");
        }
        return gamma;
    }

    /** Just enough of safetensors to read one F32 tensor (this test stays independent of the checkpoint code). */
    private static final class SafetensorsF32 {

        static float[] read(Path file, String name) throws IOException {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                long headerLength = readFully(ch, 0, 8).getLong();
                JsonNode header = new ObjectMapper()
                        .readTree(readFully(ch, 8, (int) headerLength).array());
                JsonNode entry = header.get(name);
                assertThat(entry).as("tensor " + name + " in " + file).isNotNull();
                assertThat(entry.get("dtype").asText()).isEqualTo("F32");
                long start = entry.get("data_offsets").get(0).asLong();
                long end = entry.get("data_offsets").get(1).asLong();
                float[] values = new float[(int) ((end - start) / 4)];
                readFully(ch, 8 + headerLength + start, (int) (end - start))
                        .asFloatBuffer()
                        .get(values);
                return values;
            }
        }

        private static ByteBuffer readFully(FileChannel ch, long position, int length) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) {
                if (ch.read(b, position + b.position()) < 0) {
                    throw new IOException("unexpected end of " + position);
                }
            }
            return b.flip();
        }
    }
}
