package io.distillery.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every case of retrieval.json: ranks, R@1/5/10, mean and median rank in both directions, as open_clip's. */
class ImageTextRetrievalParityTest {

    static List<JsonNode> cases() {
        return ImageTextFixtures.cases("retrieval.json");
    }

    @ParameterizedTest(name = "{index}")
    @MethodSource("cases")
    void ranksAndSummariesMatchOpenClip(JsonNode c) {
        RetrievalMetrics got = ImageTextRetrieval.evaluate(
                ImageTextFixtures.array(c.get("image_embeddings")),
                ImageTextFixtures.array(c.get("text_embeddings")),
                ImageTextFixtures.ints(c.get("text_image")));

        check(c, "image_to_text", got.imageToText());
        check(c, "text_to_image", got.textToImage());
    }

    private static void check(JsonNode c, String direction, RetrievalRanks ranks) {
        String name = c.get("name").asText() + " " + direction;
        assertThat(ranks.ranks()).as(name).containsExactly(ImageTextFixtures.ints(c.get(direction + "_ranks")));
        for (int k : new int[] {1, 5, 10}) {
            assertThat(ranks.recallAt(k))
                    .as(name + " R@" + k)
                    .isCloseTo(c.get(direction + "_R@" + k).asDouble(), within(1e-12));
        }
        assertThat(ranks.meanRank())
                .as(name)
                .isCloseTo(c.get(direction + "_mean_rank").asDouble(), within(1e-12));
        assertThat(ranks.medianRank())
                .as(name)
                .isEqualTo(c.get(direction + "_median_rank").asDouble());
    }
}
