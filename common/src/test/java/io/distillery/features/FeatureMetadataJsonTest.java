package io.distillery.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureMetadataJsonTest {

    static FeatureMetadata sample() {
        return new FeatureMetadata(
                FeatureMetadataJson.FORMAT,
                1,
                new FeatureMetadata.Teacher("beitv2_base_patch16_224", Map.of("depth", 12), "/w.safetensors", "ab12"),
                new FeatureMetadata.Target("ffn", "patches", 8, 1e-5, "fp16", List.of(196L, 768L), "target"),
                List.of(new FeatureMetadata.TensorColumn("target", "fp16", List.of(196L, 768L), "C order", "t")),
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
                "now");
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
