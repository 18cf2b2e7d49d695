package io.distillery.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Every case of zero_shot.json: open_clip's classifier weights, predictions and top-1 / top-5 counts. */
class ZeroShotParityTest {

    static List<JsonNode> cases() {
        return ImageTextFixtures.cases("zero_shot.json");
    }

    @ParameterizedTest(name = "{index}")
    @MethodSource("cases")
    void weightsPredictionsAndCountsMatchOpenClip(JsonNode c) {
        INDArray text = ImageTextFixtures.array(c.get("text_embeddings"));
        INDArray images = ImageTextFixtures.array(c.get("image_embeddings"));
        int[] labels = ImageTextFixtures.ints(c.get("labels"));

        for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            ZeroShotClassifier zs = ZeroShotClassifier.fromTemplateEmbeddings(text.castTo(type));
            INDArray expected = ImageTextFixtures.array(c.get("weights"));
            assertThat(zs.weights().shape()).isEqualTo(expected.shape());
            double diff = zs.weights().sub(expected).amaxNumber().doubleValue();
            assertThat(diff).as(c.get("name").asText()).isLessThan(1e-6);

            assertThat(zs.predict(images.castTo(type))).containsExactly(ImageTextFixtures.ints(c.get("predicted")));
            ZeroShotAccuracy acc = zs.accuracy(images.castTo(type), labels);
            assertThat(acc.top1Correct()).isEqualTo(c.get("top1_correct").asLong());
            assertThat(acc.top5Correct()).isEqualTo(c.get("top5_correct").asLong());
            assertThat(acc.total()).isEqualTo(labels.length);
            assertThat(acc.top1()).isEqualTo(c.get("top1_correct").asDouble() / labels.length);
        }
    }
}
