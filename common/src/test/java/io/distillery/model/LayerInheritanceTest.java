package io.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.npy.ParityFiles;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

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
    void badBlockChoicesAreRejected() {
        assertThatThrownBy(() -> EncoderLoader.inherit(SOURCE.withDepth(2), WEIGHTS, 3, new int[] {0, 3}))
                .hasMessageContaining("inherited block 3 is outside the source's 0..2");
        assertThatThrownBy(() -> EncoderLoader.inherit(SOURCE.withDepth(2), WEIGHTS, 3, new int[] {1, 1}))
                .hasMessageContaining("block 1 is inherited twice");
        assertThatThrownBy(() -> EncoderLoader.inherit(SOURCE.withDepth(3), WEIGHTS, 3, new int[] {0, 1}))
                .hasMessageContaining("student depth 3 != number of inherited blocks 2");
    }
}
