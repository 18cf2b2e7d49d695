package io.distillery.model.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.model.EncoderGraph;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelFamily;
import io.distillery.model.VertexNames;
import io.distillery.student.ClassifierGraph;
import io.distillery.student.StudentGraph;
import io.distillery.targets.TargetRecipe;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TargetTokens;
import java.util.Map;
import java.util.function.Supplier;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.samediff.SameDiffLayer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The native engine against the SameDiff definition of the same layers, in double on identical parameters: every
 * vertex activation and the whole gradient vector agree to 1e-9 relative. Together with the finite-difference
 * checks (which run on the native engine, the default) this pins both the values and the gradients.
 */
class NativeEngineEquivalenceTest {
    private static final double TOLERANCE = 1e-9;

    @BeforeEach
    void doublePrecision() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterEach
    void restore() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        System.clearProperty(NativeEngine.PROPERTY);
    }

    private static ModelConfig tiny(ModelFamily family, int depth) {
        return new ModelConfig(
                family,
                12,
                4,
                3,
                8,
                depth,
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
    }

    private static NeuralNetConfiguration.Builder base() {
        return new NeuralNetConfiguration.Builder()
                .seed(42)
                .dataType(DataType.DOUBLE)
                .updater(new NoOp());
    }

    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void encoderMatchesSameDiff(ModelFamily family) {
        ModelConfig c = tiny(family, 2);
        compare(
                () -> {
                    ComputationGraphConfiguration.GraphBuilder graph =
                            EncoderGraph.addEncoder(base().graphBuilder(), c);
                    graph.addLayer(
                            "loss",
                            new LossLayer.Builder(LossFunctions.LossFunction.MSE)
                                    .activation(Activation.IDENTITY)
                                    .build(),
                            VertexNames.block(c.depth() - 1));
                    graph.setOutputs("loss");
                    return graph.build();
                },
                Nd4j.randn(DataType.DOUBLE, 3, (long) c.tokens() * c.embedDim()),
                c);
    }

    @Test
    void studentDistillationGraphMatchesSameDiff() {
        ModelConfig c = tiny(ModelFamily.DATA2VEC2, 3);
        TargetRecipe recipe = new TargetRecipe(TargetTensor.FFN, TargetTokens.PATCHES, 2, 1e-5);
        compare(
                () -> StudentGraph.configuration(c, recipe, 12, base(), DataType.DOUBLE),
                Nd4j.randn(DataType.DOUBLE, 3, (long) c.numPatches() * 12),
                c);
    }

    @Test
    void studentBlockTargetsWithClsMatchSameDiff() {
        ModelConfig c = tiny(ModelFamily.DATA2VEC2, 2);
        TargetRecipe recipe = new TargetRecipe(TargetTensor.BLOCK, TargetTokens.ALL, 1, 1e-5);
        compare(
                () -> StudentGraph.configuration(c, recipe, 8, base(), DataType.DOUBLE),
                Nd4j.randn(DataType.DOUBLE, 3, (long) c.tokens() * 8),
                c);
    }

    @Test
    void classifierGraphMatchesSameDiff() {
        ModelConfig c = tiny(ModelFamily.BEITV2, 1);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 3, 4);
        for (int i = 0; i < 3; i++) {
            labels.putScalar(i, i % 4, 1.0);
        }
        compare(() -> ClassifierGraph.configuration(c, 4, base()), labels, c);
    }

    /**
     * The FLOAT path has its own fused kernels (SIMD GELU and softmax, fused layer and instance norms): the same
     * graphs in FLOAT agree with the DOUBLE path (checked above against SameDiff) to float rounding.
     */
    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void floatKernelsMatchTheDoublePath(ModelFamily family) {
        floatMatchesDouble(tiny(family, 2), new TargetRecipe(TargetTensor.BLOCK, TargetTokens.PATCHES, 2, 1e-5));
    }

    /** FFN targets: the head skips the last block's merged output and reads the chosen blocks in place. */
    @Test
    void floatKernelsMatchTheDoublePathWithFfnTargets() {
        floatMatchesDouble(
                tiny(ModelFamily.DATA2VEC2, 3), new TargetRecipe(TargetTensor.FFN, TargetTokens.PATCHES, 2, 1e-5));
    }

    private static void floatMatchesDouble(ModelConfig c, TargetRecipe recipe) {
        Nd4j.getRandom().setSeed(9);
        INDArray images = Nd4j.randn(DataType.DOUBLE, 4, 3, c.imgSize(), c.imgSize());
        INDArray labels = Nd4j.randn(DataType.DOUBLE, 4, (long) c.numPatches() * 12);
        ComputationGraph wide =
                new ComputationGraph(StudentGraph.configuration(c, recipe, 12, base(), DataType.DOUBLE));
        wide.init();
        Nd4j.getRandom().setSeed(3);
        wide.params().addi(Nd4j.randn(DataType.DOUBLE, wide.params().shape()).muli(0.2));
        NeuralNetConfiguration.Builder floatBase = new NeuralNetConfiguration.Builder()
                .seed(42)
                .dataType(DataType.FLOAT)
                .updater(new NoOp());
        ComputationGraph narrow =
                new ComputationGraph(StudentGraph.configuration(c, recipe, 12, floatBase, DataType.FLOAT));
        narrow.init(wide.params().castTo(DataType.FLOAT), true);

        Map<String, INDArray> expected = wide.feedForward(new INDArray[] {images}, true, false);
        Map<String, INDArray> actual = narrow.feedForward(new INDArray[] {images.castTo(DataType.FLOAT)}, true, false);
        for (Map.Entry<String, INDArray> e : expected.entrySet()) {
            assertClose("float activation " + e.getKey(), actual.get(e.getKey()), e.getValue(), 2e-5);
        }
        wide.setInputs(images);
        wide.setLabels(labels);
        wide.computeGradientAndScore();
        narrow.setInputs(images.castTo(DataType.FLOAT));
        narrow.setLabels(labels.castTo(DataType.FLOAT));
        narrow.computeGradientAndScore();
        assertClose(
                "float gradient", narrow.gradient().gradient(), wide.gradient().gradient(), 2e-4);
    }

    private static void compare(Supplier<ComputationGraphConfiguration> config, INDArray labels, ModelConfig c) {
        Nd4j.getRandom().setSeed(5);
        INDArray images = Nd4j.randn(DataType.DOUBLE, 3, 3, c.imgSize(), c.imgSize());

        System.setProperty(NativeEngine.PROPERTY, "samediff");
        ComputationGraph reference = new ComputationGraph(config.get());
        reference.init();
        Nd4j.getRandom().setSeed(3);
        reference
                .params()
                .addi(Nd4j.randn(DataType.DOUBLE, reference.params().shape()).muli(0.2));

        System.setProperty(NativeEngine.PROPERTY, "native");
        ComputationGraph fast = new ComputationGraph(config.get());
        fast.init(reference.params().dup(), true);
        assertThat(fast.getLayers()).anyMatch(l -> l instanceof NativeLayer);
        assertThat(reference.getLayers())
                .noneMatch(l -> l instanceof NativeLayer)
                .anyMatch(l -> l instanceof SameDiffLayer);

        Map<String, INDArray> expected = reference.feedForward(new INDArray[] {images}, true, false);
        Map<String, INDArray> actual = fast.feedForward(new INDArray[] {images}, true, false);
        for (Map.Entry<String, INDArray> e : expected.entrySet()) {
            assertClose("activation " + e.getKey(), actual.get(e.getKey()), e.getValue());
        }

        reference.setInputs(images);
        reference.setLabels(labels);
        reference.computeGradientAndScore();
        fast.setInputs(images);
        fast.setLabels(labels);
        fast.computeGradientAndScore();
        assertThat(fast.score()).isCloseTo(reference.score(), org.assertj.core.data.Offset.offset(1e-9));
        // the SameDiff reference carries the 0.5 z + stopGradient(0.5 z) fix, so its gradients are exact too
        assertClose("gradient", fast.gradient().gradient(), reference.gradient().gradient());
    }

    private static void assertClose(String what, INDArray actual, INDArray expected) {
        assertClose(what, actual, expected, TOLERANCE);
    }

    private static void assertClose(String what, INDArray actual, INDArray expected, double tolerance) {
        assertThat(actual).as(what).isNotNull();
        assertThat(actual.shape()).as(what + " shape").isEqualTo(expected.shape());
        double scale = Math.max(1.0, expected.amaxNumber().doubleValue());
        double diff = actual.castTo(DataType.DOUBLE)
                .sub(expected.castTo(DataType.DOUBLE))
                .amaxNumber()
                .doubleValue();
        assertThat(diff / scale).as(what + " max abs difference / scale").isLessThan(tolerance);
    }
}
