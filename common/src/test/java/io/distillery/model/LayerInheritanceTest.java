package io.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.checkpoint.DType;
import io.distillery.checkpoint.SafetensorsWriter;
import io.distillery.npy.ParityFiles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A shallow student seeded from chosen blocks of a deeper checkpoint. */
class LayerInheritanceTest {
    private static final Path WEIGHTS = ParityFiles.file("student_d2v2/weights.safetensors");
    private static final ModelConfig SOURCE = ModelConfigs.fromJson(ParityFiles.file("student_d2v2/config.json"));

    @Test
    void studentBlocksAreTheChosenSourceBlocks() {
        Encoder source = EncoderLoader.load(SOURCE, WEIGHTS);
        Encoder student = EncoderLoader.inherit(SOURCE.withDepth(2), WEIGHTS, 3, new int[] {0, 2});
        for (String param : new String[] {"qkvW", "norm1W"}) {
            assertThat(student.graph().getLayer(VertexNames.attention(1)).getParam(param))
                    .isEqualTo(source.graph().getLayer(VertexNames.attention(2)).getParam(param));
        }
        assertThat(student.graph().getLayer(VertexNames.EMBED).getParam("projW"))
                .isEqualTo(source.graph().getLayer(VertexNames.EMBED).getParam("projW"));
        INDArray images = ParityFiles.array("input");
        // same embeddings and same first block: identical first block output
        assertThat(student.forward(images).blockOutputs().get(0))
                .isEqualTo(source.forward(images).blockOutputs().get(0));
    }

    @Test
    void aFinetunedTeachersBlocksAreTakenWithoutItsHead(@TempDir Path dir) throws Exception {
        ModelConfig beit = ModelConfigs.fromJson(ParityFiles.file("teacher_beitv2/config.json"));
        Path plain = ParityFiles.file("teacher_beitv2/weights.safetensors");
        Path finetuned = dir.resolve("finetuned.safetensors");
        SafetensorsWriter writer = new SafetensorsWriter();
        EncoderLoader.readTensors(plain).forEach((name, tensor) -> writer.addArray(name, tensor, DType.F32));
        writer.addArray("head.weight", Nd4j.rand(DataType.FLOAT, 10, beit.embedDim()), DType.F32);
        writer.addArray("head.bias", Nd4j.zeros(DataType.FLOAT, 10), DType.F32);
        writer.write(finetuned);
        INDArray images = ParityFiles.array("input");
        Encoder fromPlain = EncoderLoader.inherit(beit.withDepth(2), plain, new int[] {1, 3});
        Encoder fromFinetuned = EncoderLoader.inherit(beit.withDepth(2), finetuned, new int[] {1, 3});
        assertThat(fromFinetuned.forward(images).blockOutputs().get(1))
                .isEqualTo(fromPlain.forward(images).blockOutputs().get(1));
    }

    @Test
    void badBlockChoicesAreRejected() {
        assertThatThrownBy(() -> EncoderLoader.inherit(SOURCE.withDepth(2), WEIGHTS, 3, new int[] {0, 3}))
                .hasMessageContaining("inherited block 3 is outside the source's 0..2");
        assertThatThrownBy(() -> EncoderLoader.inherit(SOURCE.withDepth(2), WEIGHTS, 3, new int[] {1, 1}))
                .hasMessageContaining("block 1 is inherited twice");
        assertThatThrownBy(() -> EncoderLoader.inherit(SOURCE.withDepth(3), WEIGHTS, 3, new int[] {0, 1}))
                .hasMessageContaining("student depth 3 != number of inherited blocks 2");
    }
}
