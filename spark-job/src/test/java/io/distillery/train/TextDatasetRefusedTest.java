package io.distillery.train;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.features.FeatureMetadata;
import io.distillery.features.FeatureMetadataJson;
import io.distillery.targets.TargetTokens;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** finetune (and the image checks of train) read image datasets: a text dataset is refused in one line; train
 * routes text datasets to TextTrainJob before these checks. */
class TextDatasetRefusedTest {
    @Test
    void aTextDatasetIsRefusedBeforeItsMissingImageFieldsAreRead() {
        FeatureMetadata text = new FeatureMetadata(
                FeatureMetadataJson.FORMAT,
                1,
                new FeatureMetadata.Teacher(null, Map.of("model_type", "bert"), "/w.safetensors", "ab"),
                new FeatureMetadata.Target("block", "all", 2, 1e-5, "fp16", List.of(128L, 768L), "target"),
                List.of(),
                null,
                null,
                0,
                new FeatureMetadata.Input("text-lines", "/in", List.of()),
                Map.of(),
                "now",
                FeatureMetadata.TEXT,
                new FeatureMetadata.Text("/vocab.txt", "cd", true, 128, true, "real tokens"),
                null);
        assertThatThrownBy(() -> DatasetCompatibility.check("/ds", text, null, TargetTokens.ALL, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("/ds: a text feature dataset")
                .hasMessageContaining("reads image feature datasets");
    }
}
