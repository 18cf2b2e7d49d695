package io.distillery.model.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.model.VertexNames;
import io.distillery.model.bert.BertConfig;
import io.distillery.model.bert.BertEncoder;
import io.distillery.model.bert.BertFixtures;
import io.distillery.model.bert.BertOutputs;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The trainable text graph against the inference teacher {@link BertEncoder} and transformers' reference outputs,
 * on the tiny random BERT of src/test/resources/bert: a padded batch of 6 rows with 12, 9, 4, 7 real tokens, one
 * left-padded row and one without any real token, every hidden state at every position, in float32.
 */
class TextEncoderParityTest {
    private static final double RELATIVE_TOL = 1e-5;

    @Test
    void everyHiddenStateMatchesTheTeacherAndTransformers() {
        BertConfig config = BertFixtures.config();
        INDArray ids = BertFixtures.array("input_ids");
        INDArray mask = BertFixtures.array("attention_mask");
        INDArray types = BertFixtures.array("token_type_ids");
        int tokens = (int) ids.size(1);
        ComputationGraph graph = TextEncoderGraph.create(config, tokens, 1, DataType.FLOAT);
        TextWeights.load(graph, config, BertFixtures.weights());

        Map<String, INDArray> acts = graph.feedForward(
                new INDArray[] {ids.castTo(DataType.FLOAT), types.castTo(DataType.FLOAT), mask.castTo(DataType.FLOAT)},
                false);
        try (BertOutputs teacher =
                BertEncoder.load(config, BertFixtures.weights()).forward(ids, mask, types)) {
            for (int n = 0; n <= config.numLayers(); n++) {
                String vertex = n == 0 ? VertexNames.EMBED : VertexNames.block(n - 1);
                INDArray actual = acts.get(vertex).reshape(ids.size(0), tokens, config.hiddenSize());
                assertClose(
                        vertex + " vs BertEncoder",
                        actual,
                        teacher.hiddenStates().get(n));
                assertClose(
                        vertex + " vs transformers",
                        actual,
                        BertFixtures.array(String.format("hidden_states_%02d", n)));
            }
        }
    }

    @Test
    void trainingModeForwardEqualsInference() {
        BertConfig config = BertFixtures.config();
        INDArray[] inputs = {
            BertFixtures.array("input_ids").castTo(DataType.FLOAT),
            BertFixtures.array("token_type_ids").castTo(DataType.FLOAT),
            BertFixtures.array("attention_mask").castTo(DataType.FLOAT)
        };
        ComputationGraph graph = TextEncoderGraph.create(config, (int) inputs[0].size(1), 1, DataType.FLOAT);
        TextWeights.load(graph, config, BertFixtures.weights());
        INDArray[] inference = graph.output(false, inputs);
        INDArray[] training = graph.output(true, inputs);
        assertThat(inference).hasSize(2 * config.numLayers() + 1);
        for (int i = 0; i < inference.length; i++) {
            assertThat(training[i]).isEqualTo(inference[i]);
        }
    }

    private static void assertClose(String what, INDArray actual, INDArray expected) {
        assertThat(actual.shape()).as(what).containsExactly(expected.shape());
        double diff =
                actual.sub(expected.castTo(actual.dataType())).amaxNumber().doubleValue();
        double scale = expected.amaxNumber().doubleValue();
        System.out.printf("text graph parity %-32s max abs diff %.3e, max |expected| %.3f%n", what, diff, scale);
        assertThat(diff)
                .as("%s: max |diff| %.3e, max |expected| %.3e", what, diff, scale)
                .isLessThanOrEqualTo(RELATIVE_TOL * scale);
    }
}
