package io.distillery.model.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** open_clip model config JSON: sizes, open_clip's defaults, and the refusal of options this model does not run. */
class ClipConfigTest {
    private static final String TEXT_CFG =
            "\"text_cfg\": {\"context_length\": 77, \"vocab_size\": 49408, \"width\": 512, \"heads\": 8, \"layers\": 12}";

    @TempDir
    Path dir;

    @Test
    void theFixtureConfigsDifferOnlyInTheActivation() {
        ClipConfig gelu = ClipFixtures.Variant.GELU.config();
        ClipConfig quick = ClipFixtures.Variant.QUICK_GELU.config();
        assertThat(gelu)
                .isEqualTo(new ClipConfig(
                        32,
                        false,
                        new ClipVisionConfig(32, 8, 64, 2, 32, 256),
                        new ClipTextConfig(16, 100, 48, 2, 2, 192)));
        assertThat(quick).isEqualTo(new ClipConfig(32, true, gelu.vision(), gelu.text()));
        assertThat(gelu.vision().heads()).isEqualTo(2);
        assertThat(gelu.vision().tokens()).isEqualTo(17);
    }

    @Test
    void openClipsViTB32ConfigTakesTheDataclassDefaults() throws IOException {
        // src/open_clip/model_configs/ViT-B-32.json: no head_width, mlp_ratio or quick_gelu
        ClipConfig config = read("{\"embed_dim\": 512, \"vision_cfg\": {\"image_size\": 224, \"layers\": 12,"
                + " \"width\": 768, \"patch_size\": 32}, " + TEXT_CFG + "}");
        assertThat(config)
                .isEqualTo(new ClipConfig(
                        512,
                        false,
                        new ClipVisionConfig(224, 32, 768, 12, 64, 3072),
                        new ClipTextConfig(77, 49408, 512, 8, 12, 2048)));
        assertThat(config.vision().heads()).isEqualTo(12);
        assertThat(config.vision().tokens()).isEqualTo(50);
    }

    @Test
    void mlpRatioAndIgnoredOptionsAreRead() throws IOException {
        ClipConfig config = read("{\"embed_dim\": 64, \"quick_gelu\": true, \"init_logit_scale\": 2.3,"
                + " \"vision_cfg\": {\"image_size\": 64, \"layers\": 2, \"width\": 96, \"patch_size\": 16,"
                + " \"head_width\": 48, \"mlp_ratio\": 2.6667, \"patch_dropout\": 0.5, \"pool_type\": \"tok\","
                + " \"final_ln_after_pool\": true},"
                + " \"text_cfg\": {\"width\": 40, \"heads\": 4, \"layers\": 1, \"mlp_ratio\": 3.5,"
                + " \"hf_tokenizer_name\": \"x\", \"pad_id\": 0}}");
        assertThat(config.vision().mlpWidth()).isEqualTo(256); // int(96 * 2.6667) = int(256.0032)
        assertThat(config.text().mlpWidth()).isEqualTo(140);
        assertThat(config.text().contextLength()).isEqualTo(77);
        assertThat(config.quickGelu()).isTrue();
    }

    @Test
    void unsupportedOptionsAreRefusedNamingTheKey() throws IOException {
        assertRefused(
                "\"vision_cfg\": {\"timm_model_name\": \"vit_base_patch16_224\"}",
                "vision_cfg.timm_model_name is \"vit_base_patch16_224\", but a timm image tower is not implemented"
                        + " (supported: null)");
        assertRefused(
                "\"vision_cfg\": {\"attentional_pool\": true}",
                "vision_cfg.attentional_pool is true, but attentional pooling is not implemented (supported: false)");
        assertRefused(
                "\"vision_cfg\": {\"ls_init_value\": 0.1}",
                "vision_cfg.ls_init_value is 0.1, but layer scale is not implemented (supported: null)");
        assertRefused(
                "\"vision_cfg\": {\"layers\": [3, 4, 6, 3]}",
                "vision_cfg.layers is a list, which means open_clip's ModifiedResNet: only ViT towers are"
                        + " implemented");
        assertRefused(
                "\"vision_cfg\": {\"pool_type\": \"avg\"}",
                "vision_cfg.pool_type is \"avg\", but only class token pooling is implemented (supported: tok)");
        assertRefused(
                "\"vision_cfg\": {\"in_chans\": 3}",
                "vision_cfg.in_chans is not an open_clip option this CLIP implements");
    }

    @Test
    void unsupportedTextAndTopLevelOptionsAreRefused() throws IOException {
        Path file = write("{\"embed_dim\": 512, \"vision_cfg\": {}, \"text_cfg\": {\"no_causal_mask\": true}}");
        assertThatThrownBy(() -> ClipConfig.fromJson(file))
                .hasMessage(file + ": text_cfg.no_causal_mask is true, but only causal attention is implemented"
                        + " (supported: false)");
        Path custom = write("{\"embed_dim\": 512, \"custom_text\": true, \"vision_cfg\": {}, " + TEXT_CFG + "}");
        assertThatThrownBy(() -> ClipConfig.fromJson(custom)).hasMessageStartingWith(custom + ": custom_text is true");
        Path coca = write("{\"embed_dim\": 512, \"multimodal_cfg\": {}, \"vision_cfg\": {}, " + TEXT_CFG + "}");
        assertThatThrownBy(() -> ClipConfig.fromJson(coca))
                .hasMessage(coca + ": multimodal_cfg is not an open_clip option this CLIP implements");
    }

    @Test
    void malformedValuesAreNamed() throws IOException {
        Path missing = write("{\"vision_cfg\": {}, " + TEXT_CFG + "}");
        assertThatThrownBy(() -> ClipConfig.fromJson(missing)).hasMessage(missing + ": embed_dim is missing");
        Path fraction = write("{\"embed_dim\": 512.5, \"vision_cfg\": {}, " + TEXT_CFG + "}");
        assertThatThrownBy(() -> ClipConfig.fromJson(fraction))
                .hasMessage(fraction + ": embed_dim must be an integer, got 512.5");
        Path heads = write("{\"embed_dim\": 512, \"vision_cfg\": {\"width\": 100}, " + TEXT_CFG + "}");
        assertThatThrownBy(() -> ClipConfig.fromJson(heads))
                .hasMessage(heads + ": vision_cfg.width 100 is not a multiple of vision_cfg.head_width 64");
        Path noJson = write("{\"embed_dim\": ");
        assertThatThrownBy(() -> ClipConfig.fromJson(noJson)).hasMessageStartingWith(noJson + ": not valid JSON");
    }

    private void assertRefused(String visionCfg, String message) throws IOException {
        Path file = write("{\"embed_dim\": 512, " + visionCfg + ", " + TEXT_CFG + "}");
        assertThatThrownBy(() -> ClipConfig.fromJson(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(file + ": " + message);
    }

    private ClipConfig read(String json) throws IOException {
        return ClipConfig.fromJson(write(json));
    }

    private Path write(String json) throws IOException {
        Path file = Files.createTempFile(dir, "model", ".json");
        Files.writeString(file, json);
        return file;
    }
}
