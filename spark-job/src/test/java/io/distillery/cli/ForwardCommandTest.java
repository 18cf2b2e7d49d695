package io.distillery.cli;

import static io.distillery.cli.BadInputRun.runCapturingErr;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.npy.NpyReader;
import io.distillery.npy.ParityFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code distillery forward} on the fixture files reproduces timm / fairseq outputs. */
class ForwardCommandTest {

    private static String[] forward(String model, Path out, String... extra) {
        String[] base = {
            "forward",
            "--model",
            ParityFiles.file(model + "/config.json").toString(),
            "--weights",
            ParityFiles.file(model + "/weights.safetensors").toString(),
            "--images",
            ParityFiles.file("images").toString(),
            "--out",
            out.toString()
        };
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    private static double maxDiff(Path npy, String fixture) throws Exception {
        INDArray actual = NpyReader.read(npy);
        INDArray expected = ParityFiles.array(fixture);
        assertThat(actual.shape()).as(npy.toString()).isEqualTo(expected.shape());
        return actual.castTo(DataType.DOUBLE)
                .sub(expected.castTo(DataType.DOUBLE))
                .amaxNumber()
                .doubleValue();
    }

    @Test
    void teacherDumpMatchesTimm(@TempDir Path out) throws Exception {
        assertThat(DistilleryCli.run(forward("teacher_beitv2", out))).isZero();
        assertThat(maxDiff(out.resolve("embed.npy"), "teacher_beitv2/embed")).isLessThan(5e-5);
        for (int b = 1; b <= 4; b++) {
            assertThat(maxDiff(out.resolve("block_out_0" + b + ".npy"), "teacher_beitv2/block_out_0" + b))
                    .isLessThan(5e-5);
            assertThat(maxDiff(out.resolve("mlp_out_0" + b + ".npy"), "teacher_beitv2/mlp_out_0" + b))
                    .isLessThan(5e-5);
        }
        assertThat(maxDiff(out.resolve("target.npy"), "teacher_beitv2/target_d2v_ffn_topall"))
                .isLessThan(2e-4);

        JsonNode manifest =
                new ObjectMapper().readTree(out.resolve("manifest.json").toFile());
        assertThat(manifest.get("weights_sha256").asText()).hasSize(64);
        assertThat(manifest.get("images")).hasSize(6);
        assertThat(manifest.at("/target/tensor").asText()).isEqualTo("ffn");
        assertThat(manifest.at("/arrays/target.npy").toString()).isEqualTo("[6,16,64]");
    }

    @Test
    void studentDumpWithBlockTargetsTopTwo(@TempDir Path out) throws Exception {
        assertThat(DistilleryCli.run(forward("student_d2v2", out, "--target-tensor", "block", "--top-k", "2")))
                .isZero();
        assertThat(maxDiff(out.resolve("embed.npy"), "student_d2v2/block_in")).isLessThan(5e-5);
        assertThat(maxDiff(out.resolve("mlp_out_03.npy"), "student_d2v2/mlp_out_03"))
                .isLessThan(5e-5);
        assertThat(maxDiff(out.resolve("target.npy"), "student_d2v2/target_d2v_block_top2"))
                .isLessThan(2e-4);
    }

    @Test
    void allTokensTargetKeepsTheClsRow(@TempDir Path out) throws Exception {
        assertThat(DistilleryCli.run(forward("student_d2v2", out, "--target-tokens", "all")))
                .isZero();
        assertThat(NpyReader.read(out.resolve("target.npy")).shape()).containsExactly(6, 17, 64);
    }

    @Test
    void badInputGivesOneLineAndExitCodeTwo(@TempDir Path out) throws Exception {
        assertThat(runCapturingErr(forward("student_d2v2", out, "--top-k", "9")))
                .isEqualTo("distillery forward: error: --top-k 9 must be within 1..3");
        Path badWeights = Files.write(out.resolve("bad.safetensors"), new byte[] {1, 2, 3});
        String[] args = forward("student_d2v2", out.resolve("x"));
        args[4] = badWeights.toString();
        assertThat(runCapturingErr(args))
                .startsWith("distillery forward: error: ")
                .contains("bad.safetensors");
        assertThat(Files.exists(out.resolve("x/manifest.json"))).isFalse();
    }

    @Test
    void nonFiniteOutputsAreRefusedAndNothingIsWritten(@TempDir Path dir) throws Exception {
        Path overflowing = io.distillery.extract.TestInputs.scaledTeacher(dir.resolve("inf.safetensors"), 3e38f);
        String[] args = forward("teacher_beitv2", dir.resolve("out"));
        args[4] = overflowing.toString();
        assertThat(runCapturingErr(args))
                .startsWith("distillery forward: error: " + overflowing + ": output ")
                .containsPattern(
                        "(block_out_04|mlp_out_04|target)\\.npy holds NaN or Inf values \\(first for image img_0\\.png\\)")
                .endsWith("nothing was written to " + dir.resolve("out"));
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void anOutThatIsAFileIsNamedAsSuch(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("out.txt"), "not a folder");
        assertThat(runCapturingErr(forward("student_d2v2", file)))
                .isEqualTo("distillery forward: error: --out " + file
                        + " is a file; give a folder (it is created if missing)");
        assertThat(Files.readString(file)).isEqualTo("not a folder");
    }

    @Test
    void refusesToOverwriteACompleteOutputUnlessAsked(@TempDir Path out) throws Exception {
        assertThat(DistilleryCli.run(forward("student_d2v2", out))).isZero();
        assertThat(runCapturingErr(forward("student_d2v2", out)))
                .contains("already holds a complete output; pass --overwrite");
        assertThat(DistilleryCli.run(forward("student_d2v2", out, "--overwrite")))
                .isZero();
    }
}
