package io.distillery.model.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.checkpoint.CheckpointFormatException;
import io.distillery.checkpoint.DType;
import io.distillery.checkpoint.SafetensorsFile;
import io.distillery.checkpoint.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The loader's naming variants and its one-line errors. */
class ClipWeightsTest {
    private static final String IN_PROJ = "visual.transformer.resblocks.1.attn.in_proj_weight";

    private static Map<String, INDArray> fixture;
    private static ClipConfig config;

    @TempDir
    Path dir;

    @BeforeAll
    static void readFixture() throws IOException {
        fixture = new LinkedHashMap<>();
        try (SafetensorsFile file = SafetensorsFile.open(ClipFixtures.weights())) {
            for (String name : file.names()) {
                fixture.put(name, file.readArray(name));
            }
        }
        config = ClipFixtures.Variant.GELU.config();
    }

    @Test
    void aCheckpointUnderModulePrefixGivesTheSameEmbeddings() throws IOException {
        Map<String, INDArray> prefixed = new LinkedHashMap<>();
        fixture.forEach((name, t) -> prefixed.put("module." + name, t));
        ClipModel model = ClipModel.load(config, write("ddp.safetensors", prefixed));
        ClipModel reference = ClipModel.load(config, ClipFixtures.weights());
        assertIdentical(model.encodeImages(ClipFixtures.pixels()), reference.encodeImages(ClipFixtures.pixels()));
        assertIdentical(model.encodeTexts(ClipFixtures.tokenIds()), reference.encodeTexts(ClipFixtures.tokenIds()));
    }

    @Test
    void aLogitScaleOfShapeOneIsRead() throws IOException {
        Map<String, INDArray> tensors = new LinkedHashMap<>(fixture);
        tensors.put("logit_scale", fixture.get("logit_scale").reshape(1).mul(2));
        ClipModel model = ClipModel.load(config, write("nonscalar.safetensors", tensors));
        assertThat(model.logitScale()).isEqualTo(Math.exp(5.5));
    }

    @Test
    void aMissingTensorIsNamedWithItsShape() throws IOException {
        Map<String, INDArray> tensors = new LinkedHashMap<>(fixture);
        tensors.remove(IN_PROJ);
        Path file = write("missing.safetensors", tensors);
        assertThatThrownBy(() -> ClipModel.load(config, file))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessage(file + ": missing tensor '" + IN_PROJ + "' [192, 64]");
    }

    @Test
    void aMisShapedTensorIsNamedWithBothShapes() {
        ClipConfig widerEmbedding = new ClipConfig(48, false, config.vision(), config.text());
        assertThatThrownBy(() -> ClipModel.load(widerEmbedding, ClipFixtures.weights()))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessage(ClipFixtures.weights() + ": tensor 'visual.proj' has shape [64, 32] but " + widerEmbedding
                        + " expects [64, 48] (and 1 more problems)");
    }

    @Test
    void blocksBeyondTheConfigAreUnexpected() {
        ClipTextConfig t = config.text();
        ClipConfig oneTextLayer = new ClipConfig(
                32,
                false,
                config.vision(),
                new ClipTextConfig(t.contextLength(), t.vocabSize(), t.width(), t.heads(), 1, t.mlpWidth()));
        assertThatThrownBy(() -> ClipModel.load(oneTextLayer, ClipFixtures.weights()))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessage(ClipFixtures.weights() + ": unexpected tensor 'transformer.resblocks.1.attn.in_proj_bias'"
                        + " [144] for " + oneTextLayer + " (and 11 more problems)");
    }

    @Test
    void aStrayTensorIsUnexpected() throws IOException {
        Map<String, INDArray> tensors = new LinkedHashMap<>(fixture);
        tensors.put("logit_bias", fixture.get("logit_scale"));
        Path file = write("siglip.safetensors", tensors);
        assertThatThrownBy(() -> ClipModel.load(config, file))
                .hasMessage(file + ": unexpected tensor 'logit_bias' [] for " + config);
    }

    @Test
    void aTensorHoldingNanIsRefused() throws IOException {
        Map<String, INDArray> tensors = new LinkedHashMap<>(fixture);
        INDArray broken = fixture.get(IN_PROJ).dup();
        broken.putScalar(7, Float.NaN);
        tensors.put(IN_PROJ, broken);
        Path file = write("nan.safetensors", tensors);
        assertThatThrownBy(() -> ClipModel.load(config, file))
                .hasMessage(file + ": tensor '" + IN_PROJ + "' holds NaN or Inf values; the checkpoint is damaged");
    }

    private Path write(String name, Map<String, INDArray> tensors) throws IOException {
        SafetensorsWriter writer = new SafetensorsWriter();
        tensors.forEach((key, t) -> writer.addArray(key, t, DType.F32));
        Path file = dir.resolve(name);
        writer.write(file);
        return file;
    }

    /** The same tensors give the same floats, bit for bit. */
    static void assertIdentical(INDArray actual, INDArray expected) {
        assertThat(actual.shape()).isEqualTo(expected.shape());
        assertThat(actual.sub(expected).amaxNumber().doubleValue()).isZero();
    }
}
