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
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Layer inheritance into the multimodal student: after {@link ImageTextStudentWeights#inheritImage} its image path
 * computes, layer by layer, what the source image encoder computes (shared blocks and the image's own block alike);
 * after {@link ImageTextStudentWeights#inheritText} its text path what the source BERT computes.
 */
class ImageTextStudentWeightsTest extends TinyImageText {

    /** 2 shared blocks + 1 per modality, width 8. */
    private static final ImageTextStudentConfig CONFIG =
            new ImageTextStudentConfig(image(ModelFamily.DATA2VEC2, 2), 11, 7, 2, TEXT_TOKENS, 1, 4, 1.0, 1.0, 1.0);

    private static ComputationGraph student() {
        ComputationGraph net = new ComputationGraph(ImageTextStudentGraph.configuration(
                CONFIG,
                new TargetRecipe(TargetTensor.BLOCK, TargetTokens.PATCHES, 1, 1e-5),
                6,
                new TextTargetRecipe(TargetTensor.BLOCK, 1, 1e-5, true),
                6,
                TextEncoderGraph.base(42, DataType.DOUBLE),
                DataType.DOUBLE));
        net.init();
        return net;
    }

    /** Layer k's output on one modality's path: a shared block's stream cut to that modality's tokens. */
    private static INDArray path(Map<String, INDArray> acts, boolean image, int k) {
        if (k >= CONFIG.sharedBlocks()) {
            return acts.get(
                    image ? ImageTextStudentGraph.imageLayer(CONFIG, k) : ImageTextStudentGraph.textLayer(CONFIG, k));
        }
        INDArray stream = acts.get(VertexNames.block(k));
        long split = (long) CONFIG.imageTokens() * CONFIG.width();
        return image
                ? stream.get(NDArrayIndex.all(), NDArrayIndex.interval(0, split))
                : stream.get(NDArrayIndex.all(), NDArrayIndex.interval(split, stream.size(1)));
    }

    private static double maxDiff(INDArray a, INDArray b) {
        assertThat(a.shape()).isEqualTo(b.shape());
        return a.sub(b).amaxNumber().doubleValue();
    }

    @Test
    void theImagePathComputesWhatTheSourceEncoderComputes() {
        ComputationGraph encoder = EncoderGraph.create(image(ModelFamily.DATA2VEC2, 3), 5, DataType.DOUBLE);
        randomise(encoder, 3);
        ComputationGraph net = student();
        ImageTextStudentWeights.inheritImage(net, CONFIG, encoder, 3);
        INDArray[] in = inputs();
        Map<String, INDArray> joint = net.feedForward(in, false);
        Map<String, INDArray> source = encoder.feedForward(new INDArray[] {in[0]}, false);
        for (int k = 0; k < 3; k++) {
            assertThat(maxDiff(path(joint, true, k), source.get(VertexNames.block(k))))
                    .as("image layer %d", k)
                    .isLessThan(1e-10);
        }
    }

    @Test
    void theTextPathComputesWhatTheSourceBertComputes() {
        // 9 positions in the source, 7 in the student: the first 7 are taken
        ComputationGraph bert =
                TextEncoderGraph.create(new BertConfig(11, 8, 3, 2, 16, 9, 2, EPS), TEXT_TOKENS, 5, DataType.DOUBLE);
        randomise(bert, 4);
        ComputationGraph net = student();
        ImageTextStudentWeights.inheritText(net, CONFIG, bert, 3);
        INDArray[] in = inputs();
        Map<String, INDArray> joint = net.feedForward(in, false);
        Map<String, INDArray> source = bert.feedForward(new INDArray[] {in[1], in[2], in[3]}, false);
        for (int k = 0; k < 3; k++) {
            assertThat(maxDiff(path(joint, false, k), source.get(VertexNames.block(k))))
                    .as("text layer %d", k)
                    .isLessThan(1e-10);
        }
    }

    @Test
    void aSourceOfAnotherWidthOrDeeperThanThePathIsRefused() {
        ComputationGraph wide =
                TextEncoderGraph.create(new BertConfig(11, 16, 1, 2, 16, 9, 2, EPS), TEXT_TOKENS, 5, DataType.DOUBLE);
        assertThatThrownBy(() -> ImageTextStudentWeights.inheritText(student(), CONFIG, wide, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("student's width");
        ComputationGraph deep = EncoderGraph.create(image(ModelFamily.DATA2VEC2, 4), 5, DataType.DOUBLE);
        assertThatThrownBy(() -> ImageTextStudentWeights.inheritImage(student(), CONFIG, deep, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot inherit 4 image blocks: the source has 4, the student's path 3 layers");
    }
}
