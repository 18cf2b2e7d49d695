package io.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Finite-difference gradient check, in double, of every custom layer (patch embedding, embedding norm, attention
 * with relative position bias / layer scale, MLP, residual join) inside a real graph with an MSE loss. Guards the
 * SameDiff double-gradient workaround in {@code SdOps.layerOutput}.
 */
class LayerGradientCheckTest {

    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void gradientsMatchFiniteDifferences(ModelFamily family) {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            ModelConfig tiny = new ModelConfig(
                    family,
                    8,
                    4,
                    3,
                    8,
                    2,
                    2,
                    2.0,
                    true,
                    1e-6,
                    0.5,
                    family == ModelFamily.BEITV2,
                    false,
                    new double[] {0.5, 0.5, 0.5},
                    new double[] {0.25, 0.25, 0.25},
                    0);
            ComputationGraph net = tinyGraphWithLoss(tiny);
            perturbAllParameters(net);
            Nd4j.getRandom().setSeed(7);
            INDArray images = Nd4j.randn(DataType.DOUBLE, 2, 3, 8, 8);
            INDArray labels = Nd4j.randn(DataType.DOUBLE, 2, (long) tiny.tokens() * tiny.embedDim());

            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                    .net(net)
                    .inputs(new INDArray[] {images})
                    .labels(new INDArray[] {labels})
                    .epsilon(1e-6)
                    .maxRelError(1e-3)
                    .minAbsoluteError(1e-8)
                    .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                    .exitOnFirstError(false));
            assertThat(ok).as("gradient check for %s", family).isTrue();
        } finally {
            Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        }
    }

    private static ComputationGraph tinyGraphWithLoss(ModelConfig c) {
        NeuralNetConfiguration.Builder base = new NeuralNetConfiguration.Builder()
                .seed(42)
                .dataType(DataType.DOUBLE)
                .updater(new NoOp());
        ComputationGraphConfiguration.GraphBuilder graph = EncoderGraph.addEncoder(base.graphBuilder(), c);
        String last = VertexNames.block(c.depth() - 1);
        graph.addLayer(
                "loss",
                new LossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY)
                        .build(),
                last);
        graph.setOutputs("loss");
        ComputationGraph net = new ComputationGraph(graph.build());
        net.init();
        return net;
    }

    /** Moves every parameter off its init value (ones, zeros) so no term of the gradient can hide. */
    private static void perturbAllParameters(ComputationGraph net) {
        Nd4j.getRandom().setSeed(3);
        INDArray params = net.params();
        params.addi(Nd4j.randn(DataType.DOUBLE, params.shape()).muli(0.2));
    }
}
