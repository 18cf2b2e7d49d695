package io.distillery.student;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.distillery.masking.MaskGenerator;
import io.distillery.masking.MaskInput;
import io.distillery.masking.MaskKind;
import io.distillery.masking.MaskSeeds;
import io.distillery.masking.MaskSettings;
import io.distillery.masking.TokenMask;
import io.distillery.model.EncoderGraph;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelConfigs;
import io.distillery.model.ModelFamily;
import io.distillery.npy.ParityFiles;
import io.distillery.objective.LossSpec;
import io.distillery.targets.TargetRecipe;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TargetTokens;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * The masked student's graph (data2vec 2.0's efficient recipe): finite-difference check in double of the whole
 * path (embedding, kept-token gather, blocks on K + 1 tokens, decoder input with noise, decoder, masked-position
 * gather, weighted L2), the loss against a hand computation over masked tokens only, the encoder it exports, and
 * what it refuses.
 */
class MaskedStudentGraphTest {
    private static final int TARGET_DIM = 4;
    private static final TargetRecipe RECIPE = new TargetRecipe(TargetTensor.FFN, TargetTokens.PATCHES, 2, 1e-5);

    /** 8 x 8 images, 2 x 2 patches: a 4 x 4 grid of 16 patches, width 8, 2 blocks. */
    private static ModelConfig tiny(ModelFamily family) {
        return new ModelConfig(
                family,
                8,
                2,
                3,
                8,
                2,
                2,
                2.0,
                true,
                1e-6,
                family == ModelFamily.BEITV2 ? 0.1 : 0.0,
                false,
                false,
                new double[] {0.5, 0.5, 0.5},
                new double[] {0.25, 0.25, 0.25},
                0);
    }

    /** Keeps int(16 * 0.25) = 4 of 16 patches; a decoder of 2 blocks, width 8, kernel 3, 2 groups. */
    private static StudentMasking masking() {
        return new StudentMasking(new MaskSettings(0.75, MaskKind.INVERSE_BLOCK, 2, 0.07, 2), 8, 2, 3, 2, 0.01);
    }

    private static StudentObjective d2v(double weight) {
        return new StudentObjective(
                List.of(new LossSpec("distillery.train.losses[0]", "d2v", weight, Map.of(), "target", 0)),
                0,
                Map.of("target", 16 * TARGET_DIM));
    }

    private static ComputationGraph graph(DataType type, double weight) {
        ComputationGraph net = new ComputationGraph(StudentGraph.configuration(
                tiny(ModelFamily.DATA2VEC2),
                RECIPE,
                TARGET_DIM,
                new NeuralNetConfiguration.Builder().seed(11).dataType(type).updater(new NoOp()),
                type,
                d2v(weight),
                masking()));
        net.init();
        return net;
    }

    /** Two clones of each of {@code rows} samples, as the train job draws them. */
    private static List<TokenMask> masks(int rows) {
        MaskGenerator generator = masking().generator(tiny(ModelFamily.DATA2VEC2));
        List<TokenMask> out = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            out.addAll(generator.masks(7, "sample-" + r, 0));
        }
        return out;
    }

    private static INDArray maskInput(List<TokenMask> masks, DataType type) {
        int width = MaskInput.width(16);
        float[] values = new float[masks.size() * width];
        for (int i = 0; i < masks.size(); i++) {
            MaskInput.write(masks.get(i), MaskSeeds.noiseSeed(7, "sample-" + i / 2, 0, i % 2), values, i * width);
        }
        return Nd4j.create(values, new long[] {masks.size(), width}, DataType.FLOAT)
                .castTo(type);
    }

    /** The teacher targets of the masked tokens, [B, M * D_t], from full [B, T, D_t] targets. */
    private static INDArray maskedTargets(INDArray full, List<TokenMask> masks) {
        int masked = masks.get(0).maskedCount();
        INDArray out = Nd4j.create(full.dataType(), masks.size(), (long) masked * TARGET_DIM);
        for (int b = 0; b < masks.size(); b++) {
            int[] idx = masks.get(b).maskedIndices();
            for (int j = 0; j < masked; j++) {
                for (int d = 0; d < TARGET_DIM; d++) {
                    out.putScalar(b, (long) j * TARGET_DIM + d, full.getDouble(b, idx[j], d));
                }
            }
        }
        return out;
    }

    @Test
    void theMasksKeepFourOfSixteenPatchesAndTheClonesDiffer() {
        List<TokenMask> masks = masks(1);
        assertThat(masks).hasSize(2);
        assertThat(masks.get(0).keptCount()).isEqualTo(4);
        assertThat(masks.get(0)).isNotEqualTo(masks.get(1));
    }

    @Test
    void maskedGraphGradientsMatchFiniteDifferences() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            ComputationGraph net = graph(DataType.DOUBLE, 1.5);
            Nd4j.getRandom().setSeed(3);
            net.params().addi(Nd4j.randn(DataType.DOUBLE, net.params().shape()).muli(0.2));
            List<TokenMask> masks = masks(1);
            INDArray images = Nd4j.randn(DataType.DOUBLE, 2, 3, 8, 8);
            INDArray labels = Nd4j.randn(DataType.DOUBLE, 2, 12L * TARGET_DIM);
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                    .net(net)
                    .inputs(new INDArray[] {images, maskInput(masks, DataType.DOUBLE)})
                    .labels(new INDArray[] {labels})
                    .epsilon(1e-6)
                    .maxRelError(1e-3)
                    .minAbsoluteError(1e-8)
                    .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                    .exitOnFirstError(false));
            assertThat(ok).isTrue();
        } finally {
            Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        }
    }

    @Test
    void theLossIsTheD2vLossAveragedOverTheMaskedTokensOnly() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            double weight = 0.5;
            ComputationGraph net = graph(DataType.DOUBLE, weight);
            List<TokenMask> masks = masks(2);
            Nd4j.getRandom().setSeed(9);
            INDArray images = Nd4j.randn(DataType.DOUBLE, 4, 3, 8, 8);
            INDArray maskInput = maskInput(masks, DataType.DOUBLE);
            INDArray targets = Nd4j.randn(DataType.DOUBLE, 4, 16, TARGET_DIM);
            INDArray predicted = net.feedForward(new INDArray[] {images, maskInput}, false)
                    .get(MaskedStudentGraph.DECODER)
                    .reshape(4, 16, TARGET_DIM);
            double sum = 0;
            int masked = 0;
            for (int b = 0; b < 4; b++) {
                for (int t = 0; t < 16; t++) {
                    if (!masks.get(b).isMasked(t)) {
                        continue; // a kept token's prediction is not scored
                    }
                    masked++;
                    for (int d = 0; d < TARGET_DIM; d++) {
                        double e = predicted.getDouble(b, t, d) - targets.getDouble(b, t, d);
                        sum += e * e / Math.sqrt(TARGET_DIM);
                    }
                }
            }
            assertThat(masked).isEqualTo(4 * 12);
            double expected = weight * sum / masked;
            double score = net.score(
                    new MultiDataSet(
                            new INDArray[] {images, maskInput}, new INDArray[] {maskedTargets(targets, masks)}),
                    false);
            assertThat(score).isCloseTo(expected, within(1e-12 * expected));
        } finally {
            Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        }
    }

    @Test
    void theEncoderIsThePlainEncodersLayersAndExportsWithoutTheDecoder() {
        ModelConfig config = tiny(ModelFamily.DATA2VEC2);
        ComputationGraph masked = graph(DataType.FLOAT, 1);
        ComputationGraph plain = EncoderGraph.create(config, 0, DataType.FLOAT);
        for (Layer layer : plain.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            assertThat(masked.getLayer(name).numParams()).as(name).isEqualTo(layer.numParams());
        }
        assertThat(masked.numParams()).isGreaterThan(plain.numParams()); // the decoder
        var encoder = StudentWeights.toEncoder(masked, config);
        assertThat(encoder.graph().numParams()).isEqualTo(plain.numParams());
        assertThat(encoder.graph().getLayer("blocks.1").params())
                .isEqualTo(masked.getLayer("blocks.1").params());
        assertThat(StudentWeights.projection(masked)).isEmpty();
        // and it runs unmasked on every token
        INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 8, 8);
        assertThat(encoder.forward(images).blockOutputs().get(1).shape()).containsExactly(2, 17, 8);
    }

    @Test
    void theConfigurationSurvivesJson() {
        ComputationGraphConfiguration conf = graph(DataType.FLOAT, 1).getConfiguration();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertThat(back.toJson()).isEqualTo(conf.toJson());
        assertThat(back.getNetworkInputs()).containsExactly("pixels", MaskedStudentGraph.MASK_INPUT);
    }

    @Test
    void whatAMaskedStudentCannotTrainIsRefused() {
        NeuralNetConfiguration.Builder base = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT);
        assertThatThrownBy(() -> StudentGraph.configuration(
                        tiny(ModelFamily.BEITV2), RECIPE, TARGET_DIM, base, DataType.FLOAT, d2v(1), masking()))
                .hasMessageStartingWith("mask enabled = true needs a data2vec2 student");
        StudentObjective withKd = new StudentObjective(
                List.of(
                        new LossSpec("distillery.train.losses[0]", "d2v", 1, Map.of(), "target", 0),
                        new LossSpec("distillery.train.losses[1]", "kd", 1, Map.of(), "logits", 0)),
                3,
                Map.of("target", 16 * TARGET_DIM, "logits", 3));
        assertThatThrownBy(() -> StudentGraph.configuration(
                        tiny(ModelFamily.DATA2VEC2), RECIPE, TARGET_DIM, base, DataType.FLOAT, withKd, masking()))
                .hasMessageStartingWith("distillery.train.losses[1] (kd): a masked student trains the d2v loss only");
        StudentMasking threeGroups =
                new StudentMasking(new MaskSettings(0.75, MaskKind.RANDOM, 2, 0.07, 2), 9, 2, 3, 3, 0.01);
        assertThatThrownBy(() -> StudentGraph.configuration(
                        tiny(ModelFamily.DATA2VEC2), RECIPE, TARGET_DIM, base, DataType.FLOAT, d2v(1), threeGroups))
                .hasMessage("mask decoder.groups 3 must divide the student's embed_dim 8 and the decoder width 9");
        StudentMasking keepsNothing =
                new StudentMasking(new MaskSettings(0.95, MaskKind.RANDOM, 2, 0.07, 2), 0, 2, 3, 2, 0.01);
        assertThatThrownBy(() -> StudentGraph.configuration(
                        tiny(ModelFamily.DATA2VEC2), RECIPE, TARGET_DIM, base, DataType.FLOAT, d2v(1), keepsNothing))
                .hasMessage("mask ratio 0.95 keeps no patch of the student's 16 (int(T * (1 - ratio)) = 0)");
    }

    @Test
    void theParityStudentMasksAsTheTrainJobUsesIt() throws Exception {
        ModelConfig parity = ModelConfigs.fromJson(ParityFiles.file("student_d2v2/config.json"));
        MaskGenerator generator = StudentMasking.data2vec2Images().generator(parity);
        assertThat(generator.tokens()).isEqualTo(16);
        assertThat(generator.keptCount()).isEqualTo(3); // int(16 * 0.2)
    }
}
