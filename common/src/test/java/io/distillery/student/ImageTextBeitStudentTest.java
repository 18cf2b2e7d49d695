package io.distillery.student;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * The multimodal student in BEiT v2's style (its image model a BEiT family config): after inheriting a BEiT v2
 * encoder's blocks its image path computes, layer by layer, what the BEiT computes (pre-norm blocks, layer scale,
 * relative position bias on the image segment of the shared blocks); its text path is unchanged by the image
 * segment; its gradients match finite differences; and what cannot be inherited or masked is refused.
 */
class ImageTextBeitStudentTest extends TinyImageText {

    /** 2 shared blocks + 1 per modality. */
    private static final ImageTextStudentConfig CONFIG =
            new ImageTextStudentConfig(image(ModelFamily.BEITV2, 2), 11, 7, 2, TEXT_TOKENS, 1, 4, 1.0, 1.0, 1.0);

    private static ComputationGraph student(ImageTextStudentConfig config) {
        ComputationGraph net = new ComputationGraph(ImageTextStudentGraph.configuration(
                config,
                new TargetRecipe(TargetTensor.BLOCK, TargetTokens.PATCHES, 1, 1e-5),
                6,
                new TextTargetRecipe(TargetTensor.BLOCK, 1, 1e-5, true),
                6,
                TextEncoderGraph.base(42, DataType.DOUBLE).updater(new NoOp()),
                DataType.DOUBLE));
        net.init();
        return net;
    }

    private static INDArray imagePart(Map<String, INDArray> acts, int k) {
        if (k >= CONFIG.sharedBlocks()) {
            return acts.get(ImageTextStudentGraph.imageLayer(CONFIG, k));
        }
        INDArray stream = acts.get(VertexNames.block(k));
        return stream.get(NDArrayIndex.all(), NDArrayIndex.interval(0, (long) CONFIG.imageTokens() * CONFIG.width()));
    }

    private static double maxDiff(INDArray a, INDArray b) {
        assertThat(a.shape()).isEqualTo(b.shape());
        return a.sub(b).amaxNumber().doubleValue();
    }

    @Test
    void theBlocksAreBeitsWithTheRelativePositionBias() {
        ComputationGraph net = student(CONFIG);
        assertThat(net.getLayer(VertexNames.attention(0)).paramTable())
                .containsKeys("qBias", "vBias", "gamma1", "relTable")
                .doesNotContainKey("qkvB");
        assertThat(net.getLayer("image." + VertexNames.attention(0)).paramTable())
                .containsKeys("gamma1", "relTable");
        assertThat(net.getVertex(ImageTextStudentGraph.IMAGE_EMBED_NORM)).isNull();
        assertThat(net.getLayer(ImageTextStudentGraph.IMAGE_POOL_NORM)).isNotNull();
        assertThat(net.getLayer(ImageTextStudentGraph.TEXT_POOL_NORM)).isNotNull();
        // the caption's own block stays BERT's post-norm layer
        assertThat(net.getLayer("text." + VertexNames.attention(0)).paramTable())
                .containsKey("qkvB");
    }

    @Test
    void theImagePathComputesWhatTheSourceBeitComputes() {
        ComputationGraph encoder = EncoderGraph.create(image(ModelFamily.BEITV2, 3), 5, DataType.DOUBLE);
        randomise(encoder, 3); // the relative position tables too: the bias is not zero
        ComputationGraph net = student(CONFIG);
        ImageTextStudentWeights.inheritImage(net, CONFIG, encoder, 3);
        INDArray[] in = inputs();
        Map<String, INDArray> joint = net.feedForward(in, false);
        Map<String, INDArray> source = encoder.feedForward(new INDArray[] {in[0]}, false);
        for (int k = 0; k < 3; k++) {
            assertThat(maxDiff(imagePart(joint, k), source.get(VertexNames.block(k))))
                    .as("image layer %d", k)
                    .isLessThan(1e-10);
        }
    }

    @Test
    void theTextSegmentDoesNotSeeTheImageNorItsBias() {
        ComputationGraph net = student(CONFIG);
        randomise(net, 5);
        INDArray[] in = inputs();
        INDArray text = net.feedForward(in, false).get(ImageTextStudentGraph.TEXT_PROJECTION);
        INDArray[] other = inputs();
        other[0] = Nd4j.randn(DataType.DOUBLE, 3, 3, 8, 8);
        net.getLayer(VertexNames.attention(0)).getParam("relTable").addi(1.0);
        INDArray after = net.feedForward(other, false).get(ImageTextStudentGraph.TEXT_PROJECTION);
        assertThat(maxDiff(after, text)).isLessThan(1e-12);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        ComputationGraph net = new ComputationGraph(ImageTextStudentGraph.kdConfiguration(
                CONFIG,
                new ImageTextKdLoss(
                        4,
                        4,
                        50,
                        List.of(new ImageTextKdTerm("clip", 1, Map.of()), new ImageTextKdTerm("fd", 30, Map.of()))),
                5,
                TextEncoderGraph.base(42, DataType.DOUBLE).updater(new NoOp())));
        net.init();
        randomise(net, 7);
        assertThat(SampledGradientCheck.failures(
                        net, inputs(), new INDArray[] {ImageTextKdStudentTest.teacher()}, 2, 1e-6, 1e-4, 1e-7))
                .isEmpty();
    }

    @Test
    void whatCannotBeInheritedOrMaskedIsRefused() {
        ComputationGraph bert =
                TextEncoderGraph.create(new BertConfig(11, 8, 1, 2, 16, 9, 2, EPS), TEXT_TOKENS, 5, DataType.DOUBLE);
        assertThatThrownBy(() -> ImageTextStudentWeights.inheritText(student(CONFIG), CONFIG, bert, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("shared blocks are BEiT-style (pre-norm), a BERT layer is post-norm");
        ImageTextStudentWeights.inheritText(student(CONFIG), CONFIG, bert, 0); // embeddings only
        ImageTextKdLoss mfd = new ImageTextKdLoss(4, 4, 50, List.of(new ImageTextKdTerm("mfd", 1, Map.of())));
        assertThatThrownBy(() -> ImageTextStudentGraph.kdConfiguration(
                        CONFIG, mfd, 5, TextEncoderGraph.base(42, DataType.DOUBLE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("relative position bias is defined on the whole patch grid");
    }
}
