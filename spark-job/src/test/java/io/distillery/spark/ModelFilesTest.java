package io.distillery.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelConfigs;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resolving model configs and checkpoints the way every job and executor does. */
class ModelFilesTest {
    private static final Configuration CONF = new Configuration();

    @Test
    void aPresetNameIsResolvedWithoutTouchingAnyFilesystem() throws Exception {
        String preset = ModelConfigs.presets().keySet().iterator().next();
        assertThat(ModelFiles.config(preset, CONF))
                .isEqualTo(ModelConfigs.presets().get(preset));
    }

    @Test
    void aConfigJsonIsReadFromAFileUri(@TempDir Path dir) throws Exception {
        ModelConfig preset = ModelConfigs.presets().values().iterator().next();
        Path json = dir.resolve("config.json");
        new ObjectMapper().writeValue(json.toFile(), ModelConfigs.toJsonMap(preset));
        assertThat(ModelFiles.config(json.toUri().toString(), CONF)).isEqualTo(preset);
        assertThat(ModelFiles.localCopy(json.toString(), CONF)).isEqualTo(json); // local files are not copied
    }

    @Test
    void aMissingLocalFileIsNamed(@TempDir Path dir) {
        String missing = dir.resolve("no.safetensors").toString();
        assertThatThrownBy(() -> ModelFiles.localCopy(missing, CONF))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model file " + missing + " does not exist");
    }
}
