package io.distillery.model.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.model.kernels.NativeEngine;
import io.distillery.model.kernels.NativeLayer;
import java.util.Map;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
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
 * {@link Decoder2d} inside a DL4J graph with an MSE loss, in double: finite-difference gradient checks of the
 * native kernels, the native engine against the layer's SameDiff definition (values and gradients to 1e-9), JSON
 * round trip and initialisation. The numbers themselves are pinned to fairseq by {@code Decoder2dParityTest}.
 */
class Decoder2dLayerTest {

    @BeforeEach
    void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterEach
    void restore() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        System.clearProperty(NativeEngine.PROPERTY);
    }

    /** Equal widths (residual on every block), odd kernel, 2 groups. */
    private static Decoder2d square() {
        return new Decoder2d(3, 3, 4, 4, 3, 2, 3, 2, true, "");
    }

    /** Rectangular grid, wider decoder (block 0 without residual), even kernel, 3 blocks. */
    private static Decoder2d rectangular() {
        return new Decoder2d(2, 3, 2, 4, 5, 3, 2, 2, true, "");
    }

    private static ComputationGraphConfiguration graph(Decoder2d decoder) {
        return new NeuralNetConfiguration.Builder()
                .seed(42)
                .dataType(DataType.DOUBLE)
                .updater(new NoOp())
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(
                        InputType.feedForward((long) decoder.getHeight() * decoder.getWidth() * decoder.getInputDim()))
                .addLayer("decoder", decoder, "in")
                .addLayer(
                        "loss",
                        new LossLayer.Builder(LossFunctions.LossFunction.MSE)
                                .activation(Activation.IDENTITY)
                                .build(),
                        "decoder")
                .setOutputs("loss")
                .build();
    }

    private static long outputWidth(Decoder2d d) {
        return (long) d.getHeight() * d.getWidth() * d.getTargetDim();
    }

    private static long inputWidth(Decoder2d d) {
        return (long) d.getHeight() * d.getWidth() * d.getInputDim();
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        for (Decoder2d decoder : new Decoder2d[] {square(), rectangular()}) {
            ComputationGraph net = new ComputationGraph(graph(decoder));
            net.init();
            assertThat(net.getLayers()).anyMatch(l -> l instanceof NativeLayer);
            Nd4j.getRandom().setSeed(7);
            INDArray input = Nd4j.randn(DataType.DOUBLE, 2, inputWidth(decoder));
            INDArray labels = Nd4j.randn(DataType.DOUBLE, 2, outputWidth(decoder));
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                    .net(net)
                    .inputs(new INDArray[] {input})
                    .labels(new INDArray[] {labels})
                    .epsilon(1e-6)
                    .maxRelError(1e-5)
                    .minAbsoluteError(1e-9)
                    .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                    .exitOnFirstError(false));
            assertThat(ok).as("gradient check, %d blocks", decoder.getLayers()).isTrue();
        }
    }

    @Test
    void nativeMatchesTheSameDiffDefinition() {
        for (Decoder2d decoder : new Decoder2d[] {square(), rectangular()}) {
            System.setProperty(NativeEngine.PROPERTY, "samediff");
            ComputationGraph reference = new ComputationGraph(graph(decoder));
            reference.init();
            assertThat(reference.getLayers()).noneMatch(l -> l instanceof NativeLayer);
            System.setProperty(NativeEngine.PROPERTY, "native");
            ComputationGraph fast = new ComputationGraph(graph(decoder));
            fast.init(reference.params().dup(), true);
            assertThat(fast.getLayers()).anyMatch(l -> l instanceof NativeLayer);

            Nd4j.getRandom().setSeed(5);
            INDArray input = Nd4j.randn(DataType.DOUBLE, 3, inputWidth(decoder));
            INDArray labels = Nd4j.randn(DataType.DOUBLE, 3, outputWidth(decoder));
            Map<String, INDArray> expected = reference.feedForward(new INDArray[] {input}, true, false);
            Map<String, INDArray> actual = fast.feedForward(new INDArray[] {input}, true, false);
            assertClose("decoder output", actual.get("decoder"), expected.get("decoder"));
            for (ComputationGraph net : new ComputationGraph[] {reference, fast}) {
                net.setInputs(input);
                net.setLabels(labels);
                net.computeGradientAndScore();
            }
            assertClose(
                    "gradient", fast.gradient().gradient(), reference.gradient().gradient());
        }
    }

    private static void assertClose(String what, INDArray actual, INDArray expected) {
        double scale = Math.max(1, expected.amaxNumber().doubleValue());
        double diff = actual.sub(expected).amaxNumber().doubleValue();
        assertThat(diff).as(what).isLessThanOrEqualTo(1e-9 * scale);
    }

    @Test
    void configSurvivesJson() {
        ComputationGraphConfiguration config = graph(new Decoder2d(2, 3, 8, 12, 6, 3, 2, 4, false, "decoder."));
        Decoder2d back = (Decoder2d)
                ((org.deeplearning4j.nn.conf.graph.LayerVertex) ComputationGraphConfiguration.fromJson(config.toJson())
                                .getVertices()
                                .get("decoder"))
                        .getLayerConf()
                        .getLayer();
        assertThat(back)
                .extracting(
                        Decoder2d::getHeight,
                        Decoder2d::getWidth,
                        Decoder2d::getInputDim,
                        Decoder2d::getDecoderDim,
                        Decoder2d::getTargetDim,
                        Decoder2d::getLayers,
                        Decoder2d::getKernel,
                        Decoder2d::getGroups,
                        Decoder2d::isResidual,
                        Decoder2d::getCheckpointPrefix)
                .containsExactly(2, 3, 8, 12, 6, 3, 2, 4, false, "decoder.");
    }

    @Test
    void parametersStartLikePyTorchsDefaults() {
        Decoder2d decoder = new Decoder2d(4, 4, 32, 32, 16, 2, 3, 4, true, "");
        ComputationGraph net = new ComputationGraph(graph(decoder));
        net.init();
        Map<String, INDArray> params = net.getLayer("decoder").paramTable();
        double convBound = 1 / Math.sqrt(32.0 / 4 * 9);
        assertThat(params.get("conv0W").shape()).containsExactly(32, 8, 3, 3);
        assertThat(params.get("conv1W").amaxNumber().doubleValue()).isLessThanOrEqualTo(convBound);
        assertThat(params.get("conv1W").amaxNumber().doubleValue()).isGreaterThan(0.9 * convBound);
        assertThat(params.get("projW").shape()).containsExactly(16, 32);
        assertThat(params.get("projB").amaxNumber().doubleValue()).isLessThanOrEqualTo(1 / Math.sqrt(32));
    }

    @Test
    void groupsMustDivideBothWidths() {
        assertThatThrownBy(() -> new Decoder2d(4, 4, 6, 8, 8, 1, 3, 4, true, ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("decoder groups 4 must divide the input width 6 and the decoder width 8");
    }
}
