package io.distillery.student;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.model.EncoderGraph;
import io.distillery.model.ModelFamily;
import io.distillery.model.VertexNames;
import io.distillery.model.bert.BertConfig;
import io.distillery.model.text.TextEncoderGraph;
import io.distillery.targets.TargetRecipe;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TargetTokens;
import io.distillery.targets.TextTargetRecipe;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * The multimodal student: its shared blocks against separate image and text encoders with the same weights, its
 * gradients (every output, text padding) against finite differences, and a short training run.
 */
class ImageTextStudentGraphTest extends TinyImageText {
    private static final int IMAGE_TARGET_DIM = 6;
    private static final int TEXT_TARGET_DIM = 6;
    private static final double[][] MASK = {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}, {1, 1, 0, 0, 0}};

    private static ImageTextStudentConfig config(int shared, int top) {
        return new ImageTextStudentConfig(
                image(ModelFamily.DATA2VEC2, shared), 11, 7, 2, TEXT_TOKENS, top, 4, 1.0, 0.7, 0.5);
    }

    private static ComputationGraph graph(ImageTextStudentConfig config, int topK, DataType type) {
        ComputationGraph net = new ComputationGraph(ImageTextStudentGraph.configuration(
                config,
                new TargetRecipe(TargetTensor.BLOCK, TargetTokens.PATCHES, topK, 1e-5),
                IMAGE_TARGET_DIM,
                new TextTargetRecipe(TargetTensor.BLOCK, topK, 1e-5, true),
                TEXT_TARGET_DIM,
                TextEncoderGraph.base(42, type).updater(new NoOp()),
                type));
        net.init();
        Nd4j.getRandom().setSeed(3);
        INDArray params = net.params();
        params.addi(Nd4j.randn(type, params.shape()).muli(0.3)); // off the init values
        return net;
    }

    private static INDArray[] inputs(DataType type) {
        Nd4j.getRandom().setSeed(17);
        INDArray pixels = Nd4j.randn(type, 3, 3, 8, 8);
        INDArray ids = Nd4j.create(new double[][] {{2, 7, 7, 4, 3}, {2, 5, 3, 0, 0}, {2, 9, 0, 0, 0}})
                .castTo(type);
        INDArray types = Nd4j.create(new double[][] {{0, 0, 0, 1, 1}, {0, 1, 1, 0, 0}, {0, 0, 0, 0, 0}})
                .castTo(type);
        return new INDArray[] {pixels, ids, types, Nd4j.create(MASK).castTo(type)};
    }

    private static INDArray[] labels(DataType type) {
        Nd4j.getRandom().setSeed(23);
        INDArray imageTarget = Nd4j.randn(type, 3, 4L * IMAGE_TARGET_DIM);
        INDArray textTarget = Nd4j.randn(type, 3, (long) TEXT_TOKENS * TEXT_TARGET_DIM);
        for (int b = 0; b < 3; b++) {
            for (int t = 0; t < TEXT_TOKENS; t++) {
                if (MASK[b][t] == 0) {
                    for (int d = 0; d < TEXT_TARGET_DIM; d++) {
                        textTarget.putScalar(b, t * TEXT_TARGET_DIM + d, 0);
                    }
                }
            }
        }
        return new INDArray[] {
            imageTarget, Nd4j.hstack(textTarget, Nd4j.create(MASK).castTo(type)), Nd4j.zeros(type, 3, 1)
        };
    }

    private static void copy(ComputationGraph from, String fromLayer, ComputationGraph to, String toLayer) {
        INDArray source = from.getLayer(fromLayer).params();
        INDArray target = to.getLayer(toLayer).params();
        assertThat(target.shape()).as(toLayer).isEqualTo(source.shape());
        target.assign(source);
    }

    @Test
    void sharedBlocksComputeWhatSeparateImageAndTextEncodersCompute() {
        ImageTextStudentConfig config = config(2, 0);
        ComputationGraph net = graph(config, 1, DataType.DOUBLE);
        ComputationGraph imageEncoder = EncoderGraph.create(image(ModelFamily.DATA2VEC2, 2), 5, DataType.DOUBLE);
        ComputationGraph textEncoder =
                TextEncoderGraph.create(new BertConfig(11, 8, 2, 2, 16, 7, 2, EPS), TEXT_TOKENS, 5, DataType.DOUBLE);
        copy(net, ImageTextStudentGraph.IMAGE_EMBED, imageEncoder, VertexNames.EMBED);
        copy(net, ImageTextStudentGraph.IMAGE_EMBED_NORM, imageEncoder, VertexNames.EMBED_NORM);
        copy(net, ImageTextStudentGraph.TEXT_EMBED, textEncoder, VertexNames.EMBED);
        for (int n = 0; n < 2; n++) {
            for (String layer : new String[] {VertexNames.attention(n), VertexNames.mlp(n), VertexNames.block(n)}) {
                copy(net, layer, imageEncoder, layer);
                copy(net, layer, textEncoder, layer);
            }
        }
        INDArray[] in = inputs(DataType.DOUBLE);
        Map<String, INDArray> joint = net.feedForward(in, false);
        Map<String, INDArray> images = imageEncoder.feedForward(new INDArray[] {in[0]}, false);
        Map<String, INDArray> texts = textEncoder.feedForward(new INDArray[] {in[1], in[2], in[3]}, false);
        for (int n = 0; n < 2; n++) {
            // the stream itself, split by hand: [image tokens ; text tokens] per row
            INDArray stream = joint.get(VertexNames.block(n));
            long split = 5L * 8;
            INDArray jointImage = stream.get(NDArrayIndex.all(), NDArrayIndex.interval(0, split));
            INDArray jointText = stream.get(NDArrayIndex.all(), NDArrayIndex.interval(split, stream.size(1)));
            INDArray separateImage = images.get(VertexNames.block(n));
            INDArray separateText = texts.get(VertexNames.block(n));
            assertThat(jointImage.shape()).isEqualTo(separateImage.shape());
            assertThat(jointText.shape()).isEqualTo(separateText.shape());
            assertThat(jointImage.sub(separateImage).amaxNumber().doubleValue())
                    .as("image tokens after block %d", n)
                    .isLessThan(1e-10);
            // padded positions included: a padded query attends to the real text keys in both
            assertThat(jointText.sub(separateText).amaxNumber().doubleValue())
                    .as("text tokens after block %d", n)
                    .isLessThan(1e-10);
            assertThat(separateText.amaxNumber().doubleValue()).isGreaterThan(0.1);
        }
        // and the text really changes the blocks' text part but not the image part
        INDArray[] other = inputs(DataType.DOUBLE);
        other[1].putScalar(0, 1, 3);
        Map<String, INDArray> changed = net.feedForward(other, false);
        assertThat(joint.get(ImageTextStudentGraph.sharedImagePart(1)))
                .isEqualTo(joint.get(VertexNames.block(1)).get(NDArrayIndex.all(), NDArrayIndex.interval(0, 40)));
        assertThat(changed.get(ImageTextStudentGraph.sharedImagePart(1)))
                .isEqualTo(joint.get(ImageTextStudentGraph.sharedImagePart(1)));
        assertThat(changed.get(ImageTextStudentGraph.sharedTextPart(1))
                        .sub(joint.get(ImageTextStudentGraph.sharedTextPart(1)))
                        .amaxNumber()
                        .doubleValue())
                .isGreaterThan(1e-3);
    }

    /** Every parameter tensor (a few entries each) of a graph with a shared and a modality-specific block. */
    @Test
    void gradientsOfAllOutputsMatchFiniteDifferencesWithPadding() {
        ComputationGraph net = graph(config(1, 1), 2, DataType.DOUBLE);
        List<String> failures = SampledGradientCheck.failures(
                net, inputs(DataType.DOUBLE), labels(DataType.DOUBLE), 2, 1e-6, 1e-4, 1e-7);
        assertThat(failures).isEmpty();
        assertThat(net.paramTable()).containsKey(ImageTextStudentGraph.LOGIT_SCALE + "_" + LogitScale.LOG_SCALE);
    }

    /**
     * DL4J's own check of all ~3200 parameters of a larger graph (2 shared blocks, 1 per modality): about 10 minutes
     * on 2 cores, so opt-in with {@code -Ddistillery.fullGradientCheck=true}.
     */
    @Test
    @EnabledIfSystemProperty(named = "distillery.fullGradientCheck", matches = "true")
    void allGradientsMatchFiniteDifferences() {
        ComputationGraph net = graph(config(2, 1), 2, DataType.DOUBLE);
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                .net(net)
                .inputs(inputs(DataType.DOUBLE))
                .labels(labels(DataType.DOUBLE))
                .epsilon(1e-6)
                .maxRelError(1e-4)
                // the key biases' gradient is exactly 0 (softmax ignores a shift shared by all keys); their
                // finite differences are rounding noise
                .minAbsoluteError(1e-7)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                .exitOnFirstError(false));
        assertThat(ok).isTrue();
    }

    /** Checkpoints and Spark broadcast carry the configuration as JSON: the rebuilt graph scores the same. */
    @Test
    void configurationSurvivesJson() {
        ComputationGraph net = graph(config(1, 1), 2, DataType.DOUBLE);
        String json = net.getConfiguration().toJson();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertThat(back.toJson()).isEqualTo(json);
        ComputationGraph rebuilt = new ComputationGraph(back);
        rebuilt.init(net.params().dup(), false);
        MultiDataSet batch = new MultiDataSet(inputs(DataType.DOUBLE), labels(DataType.DOUBLE));
        double score = net.score(batch);
        assertThat(score).isGreaterThan(0);
        assertThat(rebuilt.score(batch)).isEqualTo(score);
    }

    @Test
    void refusesTargetsItCannotRegress() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ImageTextStudentGraph.configuration(
                        config(1, 1),
                        new TargetRecipe(TargetTensor.FFN, TargetTokens.PATCHES, 1, 1e-5),
                        IMAGE_TARGET_DIM,
                        new TextTargetRecipe(TargetTensor.BLOCK, 1, 1e-5, true),
                        TEXT_TARGET_DIM,
                        TextEncoderGraph.base(1, DataType.DOUBLE),
                        DataType.DOUBLE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image target tensor");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ImageTextStudentGraph.configuration(
                        config(1, 1),
                        new TargetRecipe(TargetTensor.BLOCK, TargetTokens.PATCHES, 1, 1e-5),
                        IMAGE_TARGET_DIM,
                        new TextTargetRecipe(TargetTensor.BLOCK, 3, 1e-5, true),
                        TEXT_TARGET_DIM,
                        TextEncoderGraph.base(1, DataType.DOUBLE),
                        DataType.DOUBLE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("caption top-k 3");
    }

    @Test
    void thirtyAdamStepsReduceTheTotalLoss() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        ComputationGraph net = ImageTextStudentGraph.create(
                config(2, 1),
                new TargetRecipe(TargetTensor.BLOCK, TargetTokens.PATCHES, 2, 1e-5),
                IMAGE_TARGET_DIM,
                new TextTargetRecipe(TargetTensor.BLOCK, 2, 1e-5, true),
                TEXT_TARGET_DIM,
                new Optimization(3e-3, 3e-3, 0, 30, 0.0, 0.9, 0.999, 0.0, 7),
                DataType.FLOAT);
        MultiDataSet batch = new MultiDataSet(inputs(DataType.FLOAT), labels(DataType.FLOAT));
        double before = net.score(batch);
        double logScale = net.getLayer(ImageTextStudentGraph.LOGIT_SCALE)
                .getParam(LogitScale.LOG_SCALE)
                .getDouble(0);
        for (int step = 0; step < 30; step++) {
            net.fit(batch);
        }
        double after = net.score(batch);
        assertThat(Double.isFinite(after)).isTrue();
        assertThat(after).isLessThan(0.8 * before);
        assertThat(logScale).isCloseTo(LogitScale.INIT, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(net.getLayer(ImageTextStudentGraph.LOGIT_SCALE)
                        .getParam(LogitScale.LOG_SCALE)
                        .getDouble(0))
                .isNotEqualTo(logScale);
    }
}
