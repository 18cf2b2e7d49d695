package io.distillery.model.bert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Presets, Hugging Face config.json reading, its defaults and what is refused. */
class BertConfigTest {
    @TempDir
    Path dir;

    @Test
    void presetsAreTheHuggingFaceConfigs() {
        assertThat(BertConfig.resolve("bert-base-uncased"))
                .isEqualTo(new BertConfig(30522, 768, 12, 12, 3072, 512, 2, 1e-12));
        BertConfig large = BertConfig.resolve("bert-large-uncased");
        assertThat(large).isEqualTo(new BertConfig(30522, 1024, 24, 16, 4096, 512, 2, 1e-12));
        assertThat(large.headDim()).isEqualTo(64);
        assertThat(BertConfig.presets()).containsOnlyKeys("bert-base-uncased", "bert-large-uncased");
    }

    @Test
    void anySizeComesFromAConfigJson() {
        BertConfig c =
                BertConfig.resolve(BertFixtures.dir().resolve("config.json").toString());
        assertThat(c).isEqualTo(new BertConfig(120, 32, 2, 4, 64, 40, 2, 1e-12));
        assertThat(c.headDim()).isEqualTo(8);
    }

    @Test
    void missingKeysTakeTransformersDefaults() throws IOException {
        assertThat(BertConfig.fromJson(write("{\"model_type\": \"bert\", \"layer_norm_eps\": 1e-7}")))
                .isEqualTo(new BertConfig(30522, 768, 12, 12, 3072, 512, 2, 1e-7));
    }

    @Test
    void whatTheEncoderCannotRunIsRefusedByName() throws IOException {
        Path gelu = write("{\"hidden_act\": \"gelu_new\"}");
        assertThatThrownBy(() -> BertConfig.fromJson(gelu))
                .hasMessage(gelu + ": hidden_act is \"gelu_new\", but only exact (erf) GELU is implemented"
                        + " (hidden_act \"gelu\")");
        Path relative = write("{\"position_embedding_type\": \"relative_key\"}");
        assertThatThrownBy(() -> BertConfig.fromJson(relative))
                .hasMessageContaining("position_embedding_type is \"relative_key\"");
        Path roberta = write("{\"model_type\": \"roberta\"}");
        assertThatThrownBy(() -> BertConfig.fromJson(roberta))
                .hasMessage(roberta + ": model_type is \"roberta\", but this encoder runs BERT only (model_type"
                        + " \"bert\")");
        Path decoder = write("{\"is_decoder\": true}");
        assertThatThrownBy(() -> BertConfig.fromJson(decoder)).hasMessageContaining("is_decoder is true");
    }

    @Test
    void badValuesNameTheFileAndKey() throws IOException {
        Path heads = write("{\"hidden_size\": 30, \"num_attention_heads\": 4}");
        assertThatThrownBy(() -> BertConfig.fromJson(heads))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(heads + ": hidden_size 30 is not a multiple of num_attention_heads 4");
        Path text = write("{\"hidden_size\": \"32\"}");
        assertThatThrownBy(() -> BertConfig.fromJson(text))
                .hasMessage(text + ": hidden_size must be an integer, got \"32\"");
        Path zero = write("{\"num_hidden_layers\": 0}");
        assertThatThrownBy(() -> BertConfig.fromJson(zero))
                .hasMessage(zero + ": num_hidden_layers must be positive, got 0");
        Path broken = write("{\"hidden_size\": ");
        assertThatThrownBy(() -> BertConfig.fromJson(broken)).hasMessageStartingWith(broken + ": not valid JSON: ");
        assertThatThrownBy(() -> BertConfig.resolve("bert-base-cazed"))
                .hasMessage("BERT model 'bert-base-cazed' is neither a preset [bert-base-uncased, bert-large-uncased]"
                        + " nor a config.json file");
    }

    private Path write(String json) throws IOException {
        Path file = Files.createTempFile(dir, "config", ".json");
        Files.writeString(file, json, StandardCharsets.UTF_8);
        return file;
    }
}
