package io.distillery.extract;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.features.FeatureMetadata;
import io.distillery.features.FeatureMetadataJson;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A rerun into an existing dataset must have its recipe: the caption teacher's part included. */
class RecipeComparisonTest {
    private static FeatureMetadata.Captions captions(String sha, int topK, int maxLength, String checkpoint) {
        return new FeatureMetadata.Captions(
                new FeatureMetadata.Teacher(null, Map.of("model_type", "bert"), checkpoint, sha),
                new FeatureMetadata.Target("block", "all", topK, 1e-5, "fp16", List.of(8L, 32L), "caption_target"),
                new FeatureMetadata.Text("/v.txt", "cd", true, maxLength, true, "real tokens"),
                List.of(new FeatureMetadata.TensorColumn("caption_target", "fp16", List.of(8L, 32L), "C order", "")));
    }

    private static FeatureMetadata image(FeatureMetadata.Captions captions) {
        return new FeatureMetadata(
                FeatureMetadataJson.FORMAT,
                1,
                new FeatureMetadata.Teacher(null, Map.of(), "/t.safetensors", "ab"),
                new FeatureMetadata.Target("block", "patches", 2, 1e-5, "fp16", List.of(16L, 64L), "target"),
                List.of(),
                null,
                null,
                0,
                new FeatureMetadata.Input("webdataset", "/in", List.of()),
                Map.of(),
                "now",
                FeatureMetadata.IMAGE,
                null,
                captions);
    }

    @Test
    void captionRecipesAreCompared() {
        FeatureMetadata base = image(captions("s1", 2, 8, "/a/bert.safetensors"));
        assertThat(RecipeComparison.firstDifference(base, image(captions("s1", 2, 8, "/moved/bert.safetensors"))))
                .as("the same checkpoint elsewhere")
                .isNull();
        assertThat(RecipeComparison.firstDifference(base, image(captions("s2", 2, 8, "/a/bert.safetensors"))))
                .startsWith("caption teacher checkpoint sha256 s1 vs s2");
        assertThat(RecipeComparison.firstDifference(base, image(captions("s1", 1, 8, "/a/bert.safetensors"))))
                .startsWith("caption target");
        assertThat(RecipeComparison.firstDifference(base, image(captions("s1", 2, 16, "/a/bert.safetensors"))))
                .startsWith("caption text");
        assertThat(RecipeComparison.firstDifference(base, image(null))).isEqualTo("caption teacher set vs none");
        assertThat(RecipeComparison.firstDifference(image(null), image(null))).isNull();
    }
}
