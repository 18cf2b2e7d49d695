package io.distillery.model.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.model.VertexNames;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Finite-difference gradient checks, in double, of the text layers (embedding with repeated ids, masked attention
 * with right and left padding, the MLM head and loss) inside real graphs. A row without any real token is left out:
 * its scores are all the lowest double, so moving a parameter changes nothing there, while backpropagation (like
 * PyTorch's autograd) still sends a gradient through its uniform softmax.
 */
class TextGradientCheckTest {

    @BeforeEach
    void doubles() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterEach
    void floats() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    @Test
    void encoderGradientsMatchFiniteDifferencesWithPadding() {
        ComputationGraphConfiguration.GraphBuilder graph = TextEncoderGraph.addEncoder(
                TextEncoderGraph.base(42, DataType.DOUBLE).updater(new NoOp()).graphBuilder(),
                TinyText.CONFIG,
                TinyText.TOKENS);
        graph.addLayer(
                "loss",
                new LossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY)
                        .build(),
                VertexNames.block(TinyText.CONFIG.numLayers() - 1));
        graph.setOutputs("loss");
        ComputationGraph net = new ComputationGraph(graph.build());
        net.init();
        perturb(net);
        Nd4j.getRandom().setSeed(7);
        INDArray labels = Nd4j.randn(DataType.DOUBLE, 3, (long) TinyText.TOKENS * TinyText.CONFIG.hiddenSize());
        assertThat(check(net, labels)).isTrue();
    }

    @Test
    void maskedLmGradientsMatchFiniteDifferences() {
        ComputationGraph net = TextEncoderGraph.createMaskedLm(
                TinyText.CONFIG,
                TinyText.TOKENS,
                TextEncoderGraph.base(42, DataType.DOUBLE).updater(new NoOp()));
        perturb(net);
        assertThat(check(net, TinyText.labels(DataType.DOUBLE))).isTrue();
    }

    private static boolean check(ComputationGraph net, INDArray labels) {
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                .net(net)
                .inputs(TinyText.inputs(DataType.DOUBLE))
                .labels(new INDArray[] {labels})
                .epsilon(1e-6)
                .maxRelError(1e-4)
                .minAbsoluteError(1e-8)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                .exitOnFirstError(false));
    }

    /** Moves every parameter off its init value (ones, zeros, N(0, 0.02)) so that no term of the gradient hides. */
    private static void perturb(ComputationGraph net) {
        Nd4j.getRandom().setSeed(3);
        INDArray params = net.params();
        params.addi(Nd4j.randn(DataType.DOUBLE, params.shape()).muli(0.5));
    }
}
