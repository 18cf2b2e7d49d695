package io.distillery.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureMetadataJsonTest {

    static FeatureMetadata sample() {
        return sample(
                List.of(new FeatureMetadata.TensorColumn("target", "fp16", List.of(196L, 768L), "C order", "t")), null);
    }

    static FeatureMetadata sample(List<FeatureMetadata.TensorColumn> columns, FeatureMetadata.Logits logits) {
        return new FeatureMetadata(
                FeatureMetadataJson.FORMAT,
                1,
                new FeatureMetadata.Teacher("beitv2_base_patch16_224", Map.of("depth", 12), "/w.safetensors", "ab12"),
                new FeatureMetadata.Target("ffn", "patches", 8, 1e-5, "fp16", List.of(196L, 768L), "target"),
                columns,
                logits,
                new FeatureMetadata.Preprocessing(
                        224,
                        List.of(0.5, 0.5, 0.5),
                        List.of(0.5, 0.5, 0.5),
                        0.9,
                        2,
                        List.of(0.08, 1.0),
                        List.of(0.75, 1.33),
                        true,
                        "bicubic",
                        "sha"),
                7,
                new FeatureMetadata.Input("webdataset", "hdfs:///cc3m", List.of()),
                Map.of("java", "17"),
                "now",
                FeatureMetadata.IMAGE,
                null,
                null);
    }

    @Test
    void roundTripsInSnakeCase() {
        String json = FeatureMetadataJson.toJson(sample());
        assertThat(json)
                .contains("\"format_version\" : 1")
                .contains("\"checkpoint_sha256\" : \"ab12\"")
                .contains("\"top_k\" : 8");
        assertThat(FeatureMetadataJson.fromJson(json, "x")).isEqualTo(sample());
    }

    @Test
    void topKLogitsAreRecordedAndOlderDatasetsReadAsAllClasses() {
        var topK = sample(
                List.of(
                        new FeatureMetadata.TensorColumn("logits_topk_index", "int32", List.of(5L), "C order", "i"),
                        new FeatureMetadata.TensorColumn("logits_topk_value", "fp16", List.of(5L), "C order", "v"),
                        new FeatureMetadata.TensorColumn("logits_topk_rest", "fp16", List.of(1L), "C order", "r")),
                new FeatureMetadata.Logits(
                        1000, 5, List.of("logits_topk_index", "logits_topk_value", "logits_topk_rest")));
        String json = FeatureMetadataJson.toJson(topK);
        assertThat(json)
                .contains("\"logits\" : {")
                .contains("\"classes\" : 1000")
                .doesNotContain("top_k_only");
        FeatureMetadata read = FeatureMetadataJson.fromJson(json, "x");
        assertThat(read).isEqualTo(topK);
        assertThat(read.storedLogits()).contains(topK.logits());
        assertThat(read.storedLogits().get().topKOnly()).isTrue();

        // a version-1 dataset written before the field existed: a logits column means all classes
        var full = List.of(new FeatureMetadata.TensorColumn("logits", "fp16", List.of(1000L), "C order", "l"));
        String old = FeatureMetadataJson.toJson(sample(full, null)).replace("  \"logits\" : null,\n", "");
        assertThat(old).doesNotContain("\"logits\" : null");
        assertThat(FeatureMetadataJson.fromJson(old, "old").storedLogits())
                .contains(new FeatureMetadata.Logits(1000, 0, List.of("logits")));
        assertThat(sample().storedLogits()).isEmpty();
    }

    @Test
    void newerVersionIsRejectedSayingWhatThisBuildReads() {
        String json = FeatureMetadataJson.toJson(sample()).replace("\"format_version\" : 1", "\"format_version\" : 3");
        assertThatThrownBy(() -> FeatureMetadataJson.fromJson(json, "ds/_distillery/dataset.json"))
                .isInstanceOf(FeatureFormatException.class)
                .hasMessage("ds/_distillery/dataset.json: found feature format version 3, this build reads up to 1; "
                        + "upgrade Distillery to read it");
    }

    @Test
    void otherFormatsAreNotMistakenForFeatures() {
        assertThatThrownBy(() -> FeatureMetadataJson.fromJson("{\"format\":\"other\"}", "f.json"))
                .hasMessageStartingWith("f.json: not a Distillery feature dataset");
        assertThatThrownBy(() -> FeatureMetadataJson.fromJson("{not json", "f.json"))
                .hasMessageStartingWith("f.json: feature metadata is not valid JSON");
    }
}
