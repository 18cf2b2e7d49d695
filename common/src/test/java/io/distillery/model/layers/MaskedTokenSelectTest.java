package io.distillery.model.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.masking.MaskInput;
import io.distillery.masking.MaskedTokens;
import io.distillery.masking.TokenMask;
import io.distillery.model.kernels.MaskedTokensMath.Op;
import io.distillery.model.kernels.NativeEngine;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The masked student's token moves against {@link MaskedTokens} (the reference gather and scatter), their
 * finite-difference gradients in double inside a DL4J graph, the mask input's checks and the engine refusal.
 */
class MaskedTokenSelectTest {
    private static final int DIM = 3;
    private static final List<TokenMask> MASKS = List.of(TokenMask.parse("011011"), TokenMask.parse("110101"));
    private static final long[] SEEDS = {0xABCDEF123456L, 77};

    @AfterEach
    void restore() {
        System.clearProperty(NativeEngine.PROPERTY);
    }

    private static INDArray maskInput(DataType type) {
        int width = MaskInput.width(6);
        float[] values = new float[MASKS.size() * width];
        for (int r = 0; r < MASKS.size(); r++) {
            MaskInput.write(MASKS.get(r), SEEDS[r], values, r * width);
        }
        return Nd4j.create(values, new long[] {MASKS.size(), width}, DataType.FLOAT)
                .castTo(type);
    }

    private static INDArray run(Op op, INDArray tokens, int dim, double noiseStd) {
        MaskedTokenSelect layer = new MaskedTokenSelect(op, 6, 2, dim, noiseStd);
        ComputationGraph net = new ComputationGraph(graph(layer, tokens.size(1), tokens.dataType(), false));
        net.init();
        return net.feedForward(new INDArray[] {tokens, maskInput(tokens.dataType())}, false)
                .get("select");
    }

    /** [tokens | mask] into the layer (through a dense layer first when {@code dense}, so gradients flow). */
    private static ComputationGraphConfiguration graph(
            MaskedTokenSelect layer, long tokenWidth, DataType type, boolean dense) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(3)
                .dataType(type)
                .updater(new NoOp())
                .graphBuilder()
                .addInputs("tokens", "mask")
                .setInputTypes(InputType.feedForward(tokenWidth), InputType.feedForward(MaskInput.width(6)));
        String in = "tokens";
        if (dense) {
            g.addLayer(
                    "dense",
                    new DenseLayer.Builder()
                            .nIn(tokenWidth)
                            .nOut(tokenWidth)
                            .activation(Activation.TANH)
                            .build(),
                    "tokens");
            in = "dense";
        }
        return g.addVertex("merged", new MergeVertex(), in, "mask")
                .addLayer("select", layer, "merged")
                .addLayer(
                        "loss",
                        new LossLayer.Builder(LossFunctions.LossFunction.MSE)
                                .activation(Activation.IDENTITY)
                                .build(),
                        "select")
                .setOutputs("loss")
                .build();
    }

    private static INDArray ramp(DataType type, int tokens) {
        return Nd4j.linspace(1, 2L * tokens * DIM, 2L * tokens * DIM, type).reshape(2, (long) tokens * DIM);
    }

    private static INDArray patches(INDArray withCls, int tokens) {
        return withCls.reshape(2, tokens + 1, DIM)
                .get(NDArrayIndex.all(), NDArrayIndex.interval(1, tokens + 1), NDArrayIndex.all())
                .dup('c')
                .reshape(2, (long) tokens * DIM);
    }

    @ParameterizedTest
    @EnumSource(
            value = DataType.class,
            names = {"FLOAT", "DOUBLE"})
    void theEncoderInputIsClsThenTheKeptPatches(DataType type) {
        INDArray tokens = ramp(type, 7); // CLS + 6 patches
        INDArray out = run(Op.ENCODER_INPUT, tokens, DIM, 0).reshape(2, 3, DIM);
        INDArray cls = tokens.reshape(2, 7, DIM).get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all());
        assertThat(out.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all()))
                .isEqualTo(cls);
        INDArray kept = MaskedTokens.gather(patches(tokens, 6), MASKS, DIM);
        assertThat(out.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3), NDArrayIndex.all())
                        .dup('c')
                        .reshape(2, 2L * DIM))
                .isEqualTo(kept);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 0.5})
    void theDecoderInputIsMaskedTokensScatterWithTheRowsOwnNoise(double std) {
        INDArray encoded = ramp(DataType.DOUBLE, 3); // CLS + 2 kept
        INDArray out = run(Op.DECODER_INPUT, encoded, DIM, std);
        INDArray kept = patches(encoded, 2);
        for (int r = 0; r < 2; r++) {
            INDArray expected = MaskedTokens.scatter(
                    kept.getRow(r, true),
                    List.of(MASKS.get(r)),
                    DIM,
                    std,
                    new SplittableRandom(MaskInput.travellingSeed(SEEDS[r])));
            assertThat(out.getRow(r, true)).isEqualTo(expected);
        }
        if (std > 0) {
            assertThat(out.getDouble(0, 0)).isNotZero(); // token 0 of row 0 is masked
        }
    }

    @Test
    void theMaskedPredictionsAreTheMaskedTokensAscending() {
        INDArray grid = ramp(DataType.FLOAT, 6);
        INDArray out = run(Op.MASKED_PREDICTIONS, grid, DIM, 0);
        List<TokenMask> inverted = MASKS.stream()
                .map(m -> TokenMask.parse(
                        m.toString().replace('0', 'x').replace('1', '0').replace('x', '1')))
                .toList();
        assertThat(out).isEqualTo(MaskedTokens.gather(grid, inverted, DIM));
    }

    @ParameterizedTest
    @EnumSource(Op.class)
    void gradientsMatchFiniteDifferences(Op op) {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            MaskedTokenSelect layer = new MaskedTokenSelect(op, 6, 2, DIM, 0.3);
            long width = layer.tokenInputWidth();
            ComputationGraph net = new ComputationGraph(graph(layer, width, DataType.DOUBLE, true));
            net.init();
            Nd4j.getRandom().setSeed(12);
            INDArray tokens = Nd4j.randn(DataType.DOUBLE, 2, width);
            long outWidth = net.feedForward(new INDArray[] {tokens, maskInput(DataType.DOUBLE)}, false)
                    .get("select")
                    .size(1);
            INDArray labels = Nd4j.randn(DataType.DOUBLE, 2, outWidth);
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                    .net(net)
                    .inputs(new INDArray[] {tokens, maskInput(DataType.DOUBLE)})
                    .labels(new INDArray[] {labels})
                    .epsilon(1e-6)
                    .maxRelError(1e-6)
                    .minAbsoluteError(1e-10)
                    .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                    .exitOnFirstError(false));
            assertThat(ok).as("gradient check of %s", op).isTrue();
        } finally {
            Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        }
    }

    @Test
    void aMaskInputThatIsNotAnOrderedPermutationIsRefused() {
        double[] good = {1, 4, 0, 2, 3, 5, 0, 9};
        assertThat(MaskInput.read(new double[][] {good}, 6, 2).order()[0]).containsExactly(1, 4, 0, 2, 3, 5);
        assertThat(MaskInput.read(new double[][] {good}, 6, 2).noiseSeeds()[0]).isEqualTo(9);
        double[] repeated = {1, 4, 0, 2, 4, 5, 0, 9};
        assertThatThrownBy(() -> MaskInput.read(new double[][] {repeated}, 6, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mask input row 0 is not 2 kept and 4 masked ascending indices of a 6-token grid: value"
                        + " 4.0 at 4");
        double[] unordered = {4, 1, 0, 2, 3, 5, 0, 9};
        assertThatThrownBy(() -> MaskInput.read(new double[][] {unordered}, 6, 2))
                .hasMessageContaining("value 1.0 at 1");
        double[] badSeed = {1, 4, 0, 2, 3, 5, 0.5, 9};
        assertThatThrownBy(() -> MaskInput.read(new double[][] {badSeed}, 6, 2))
                .hasMessage("mask input row 0 has a noise seed half of 0.5, not an integer in [0, 2^24)");
    }

    @Test
    void theSameDiffEngineIsRefusedWhenTheGraphIsBuilt() {
        System.setProperty(NativeEngine.PROPERTY, "samediff");
        ComputationGraph net = new ComputationGraph(
                graph(new MaskedTokenSelect(Op.ENCODER_INPUT, 6, 2, DIM, 0), 7L * DIM, DataType.FLOAT, false));
        assertThatThrownBy(net::init)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("a masked student runs on the native engine only");
    }

    @Test
    void configSurvivesJson() {
        ComputationGraphConfiguration conf =
                graph(new MaskedTokenSelect(Op.DECODER_INPUT, 6, 2, DIM, 0.01), 3L * DIM, DataType.FLOAT, false);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertThat(back.toJson()).isEqualTo(conf.toJson());
        MaskedTokenSelect layer = (MaskedTokenSelect) ((org.deeplearning4j.nn.conf.graph.LayerVertex)
                        back.getVertices().get("select"))
                .getLayerConf()
                .getLayer();
        assertThat(layer.getOp()).isEqualTo(Op.DECODER_INPUT);
        assertThat(layer.getNoiseStd()).isEqualTo(0.01);
    }
}
