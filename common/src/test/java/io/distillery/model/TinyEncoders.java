package io.distillery.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** A 16-px, 32-wide encoder of either family with random weights (fixed seed), for engine tests. */
final class TinyEncoders {
    private TinyEncoders() {}

    static ModelConfig config(ModelFamily family, int depth) {
        return new ModelConfig(
                family,
                16,
                4,
                3,
                32,
                depth,
                4,
                4.0,
                true,
                1e-6,
                0.1,
                family == ModelFamily.BEITV2,
                false,
                new double[] {0.5, 0.5, 0.5},
                new double[] {0.25, 0.25, 0.25},
                0);
    }

    /** The encoder graph of {@code config} with weights perturbed by N(0, 0.1²), seed 3. */
    static ComputationGraph randomGraph(ModelConfig config) {
        ComputationGraph graph = EncoderGraph.create(config, 7, DataType.FLOAT);
        Nd4j.getRandom().setSeed(3);
        graph.params().addi(Nd4j.randn(DataType.FLOAT, graph.params().shape()).muli(0.1));
        return graph;
    }
}
