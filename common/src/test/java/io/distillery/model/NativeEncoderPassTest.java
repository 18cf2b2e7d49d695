package io.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The encoder's own inference pass gives DL4J's graph executor's activations bit for bit. */
class NativeEncoderPassTest {

    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void sameActivationsAsTheGraphExecutor(ModelFamily family) {
        ModelConfig c = TinyEncoders.config(family, 3);
        ComputationGraph graph = TinyEncoders.randomGraph(c);
        INDArray images = Nd4j.randn(DataType.FLOAT, 5, 3, 16, 16);

        assertThat(NativeEncoderPass.supports(graph, c)).isTrue();
        Map<String, INDArray> expected = graph.feedForward(new INDArray[] {images}, false, false);
        NativeEncoderPass.Result result = NativeEncoderPass.run(graph, c, images, Nd4j::createUninitialized);
        Map<String, INDArray> actual = result.activations();
        assertThat(actual).isNotEmpty();
        for (Map.Entry<String, INDArray> e : actual.entrySet()) {
            assertThat(e.getValue().dup('c').data().asFloat())
                    .as(e.getKey())
                    .containsExactly(expected.get(e.getKey()).dup('c').data().asFloat());
        }
        // BEiT's FFN branches come from the fused join: the same bytes as gamma_2 * mlp from the executor's output
        assertThat(result.scaledBranches()).hasSize(family == ModelFamily.BEITV2 ? c.depth() : 0);
        for (int b = 0; b < result.scaledBranches().size(); b++) {
            INDArray gamma =
                    graph.getLayer(VertexNames.block(b)).getParam("gamma2").reshape(1, c.embedDim());
            INDArray mlp = expected.get(VertexNames.mlp(b)).reshape('c', -1, c.embedDim());
            assertThat(result.scaledBranches().get(b).dup('c').data().asFloat())
                    .as("gamma2 * mlp %d", b)
                    .containsExactly(mlp.mulRowVector(gamma).dup('c').data().asFloat());
        }
    }
}
