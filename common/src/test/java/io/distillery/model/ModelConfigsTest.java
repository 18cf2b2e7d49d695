package io.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConfigsTest {

    @Test
    void presetsHaveTheReferenceSizes() {
        ModelConfig base = ModelConfigs.resolve("beitv2_base_patch16_224");
        assertThat(base.family()).isEqualTo(ModelFamily.BEITV2);
        assertThat(base.tokens()).isEqualTo(197);
        assertThat(base.mlpHidden()).isEqualTo(3072);
        assertThat(ModelConfigs.resolve("beitv2_large_patch16_224").depth()).isEqualTo(24);
        ModelConfig d2v = ModelConfigs.resolve("data2vec2_base_patch16_224");
        assertThat(d2v.family()).isEqualTo(ModelFamily.DATA2VEC2);
        assertThat(d2v.embedDim()).isEqualTo(768);
        assertThat(ModelConfigs.resolve("data2vec2_large_patch16_224").numHeads())
                .isEqualTo(16);
    }

    @Test
    void unknownPresetListsTheKnownOnes() {
        assertThatThrownBy(() -> ModelConfigs.resolve("beitv3"))
                .hasMessageContaining("'beitv3' is neither a preset")
                .hasMessageContaining("beitv2_base_patch16_224");
    }

    @Test
    void missingKeyAndWrongTypeNameTheFileAndKey(@TempDir Path dir) throws IOException {
        Path missing = Files.writeString(dir.resolve("a.json"), "{\"model_type\":\"beitv2\",\"img_size\":32}");
        assertThatThrownBy(() -> ModelConfigs.fromJson(missing))
                .hasMessage(missing + ": missing required key 'patch_size'");
        Path wrongType = Files.writeString(
                dir.resolve("b.json"),
                "{\"model_type\":\"data2vec2\",\"img_size\":32,"
                        + "\"patch_size\":8,\"embed_dim\":64,\"depth\":\"three\",\"num_heads\":4}");
        assertThatThrownBy(() -> ModelConfigs.fromJson(wrongType))
                .hasMessage(wrongType + ": key 'depth' must be an integer, got \"three\"");
    }

    @Test
    void inconsistentValuesAreRejectedWithTheFile(@TempDir Path dir) throws IOException {
        Path bad = Files.writeString(
                dir.resolve("c.json"),
                "{\"model_type\":\"data2vec2\",\"img_size\":30,"
                        + "\"patch_size\":8,\"embed_dim\":64,\"depth\":3,\"num_heads\":4}");
        assertThatThrownBy(() -> ModelConfigs.fromJson(bad))
                .hasMessage(bad + ": img_size 30 is not a multiple of patch_size 8");
    }

    @Test
    void familyMustBeClear(@TempDir Path dir) throws IOException {
        Path unclear = Files.writeString(
                dir.resolve("d.json"),
                "{\"img_size\":32,\"patch_size\":8,\"embed_dim\":64," + "\"depth\":3,\"num_heads\":4}");
        assertThatThrownBy(() -> ModelConfigs.fromJson(unclear)).hasMessageContaining("cannot tell the model family");
        Path notJson = Files.writeString(dir.resolve("e.json"), "{img_size: 32");
        assertThatThrownBy(() -> ModelConfigs.fromJson(notJson)).hasMessageStartingWith(notJson + ": not valid JSON");
    }

    @Test
    void jsonMapRoundTripsEveryPresetAndFixture() {
        com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        java.util.List<ModelConfig> configs =
                new java.util.ArrayList<>(ModelConfigs.presets().values());
        configs.add(ModelConfigs.fromJson(io.distillery.npy.ParityFiles.file("teacher_beitv2/config.json")));
        configs.add(ModelConfigs.fromJson(io.distillery.npy.ParityFiles.file("student_d2v2/config.json")));
        for (ModelConfig c : configs) {
            assertThat(ModelConfigs.fromJsonNode(mapper.valueToTree(ModelConfigs.toJsonMap(c)), "metadata"))
                    .isEqualTo(c);
        }
    }
}
