package io.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** An encoder reuses a closed pass's activation memory without changing any later result. */
class ActivationRecyclingTest {

    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void recycledPassesGiveTheSameBytesAsFreshOnes(ModelFamily family) {
        ModelConfig c = TinyEncoders.config(family, 2);
        ComputationGraph graph = TinyEncoders.randomGraph(c);
        Encoder recycling = new Encoder(c, graph, null);
        Encoder fresh = recycling.replica();

        // batches of 5, 5, then a short last batch of 2, then 5 again: arrays of the other shape are not reused
        int[] sizes = {5, 5, 2, 5};
        for (int i = 0; i < sizes.length; i++) {
            INDArray images = Nd4j.randn(DataType.FLOAT, sizes[i], 3, 16, 16);
            List<float[]> expected = snapshot(fresh.forward(images));
            List<float[]> actual;
            try (EncoderActivations acts = recycling.forward(images)) {
                actual = snapshot(acts);
            }
            assertThat(actual).hasSameSizeAs(expected);
            for (int t = 0; t < expected.size(); t++) {
                assertThat(actual.get(t)).as("batch %d, tensor %d", i, t).containsExactly(expected.get(t));
            }
            assertThat(recycling.forwardBuffersHeld())
                    .as("arrays kept after batch %d", i)
                    .isPositive();
        }
        recycling.releaseBuffers();
        assertThat(recycling.forwardBuffersHeld()).isZero();
    }

    private static List<float[]> snapshot(EncoderActivations acts) {
        List<float[]> all = new ArrayList<>();
        all.add(acts.embeddings().dup('c').data().asFloat());
        all.add(acts.blockInput().dup('c').data().asFloat());
        for (List<INDArray> list : List.of(acts.blockOutputs(), acts.mlpOutputs(), acts.ffnBranches())) {
            for (INDArray a : list) {
                all.add(a.dup('c').data().asFloat());
            }
        }
        return all;
    }
}
