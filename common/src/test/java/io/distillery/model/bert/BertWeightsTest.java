package io.distillery.model.bert;

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
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Checkpoint naming variants (prefix, gamma/beta, no pooler) and the loader's one-line error messages. */
class BertWeightsTest {
    private static final String KEY_WEIGHT = "bert.encoder.layer.1.attention.self.key.weight";

    private static Map<String, INDArray> fixture;
    private static BertOutputs reference;

    @TempDir
    Path dir;

    @BeforeAll
    static void readFixture() throws IOException {
        fixture = new LinkedHashMap<>();
        try (SafetensorsFile file = SafetensorsFile.open(BertFixtures.weights())) {
            for (String name : file.names()) {
                fixture.put(name, file.readArray(name));
            }
        }
        reference = BertFixtures.run(BertEncoder.load(BertFixtures.config(), BertFixtures.weights()), Set.of());
    }

    @Test
    void aBertModelCheckpointWithoutPrefixGivesTheSameOutputs() throws IOException {
        Map<String, INDArray> bare = new LinkedHashMap<>();
        fixture.forEach((name, t) -> {
            if (name.startsWith("bert.")) {
                bare.put(name.substring("bert.".length()), t);
            }
        });
        assertSameOutputs(load(write("bare.safetensors", bare), BertFixtures.config()));
    }

    @Test
    void oldGammaAndBetaLayerNormNamesAreRead() throws IOException {
        Path file = write(
                "gamma-beta.safetensors",
                renamed(name -> name.replace("LayerNorm.weight", "LayerNorm.gamma")
                        .replace("LayerNorm.bias", "LayerNorm.beta")));
        assertSameOutputs(load(file, BertFixtures.config()));
    }

    @Test
    void withoutPoolerThereIsNoPooledOutput() throws IOException {
        Map<String, INDArray> tensors = new LinkedHashMap<>(fixture);
        tensors.keySet().removeIf(name -> name.startsWith("bert.pooler."));
        BertEncoder encoder = load(write("no-pooler.safetensors", tensors), BertFixtures.config());
        assertThat(encoder.hasPooler()).isFalse();
        try (BertOutputs out = BertFixtures.run(encoder, Set.of())) {
            assertThat(out.pooled()).isNull();
            assertIdentical(out.lastHiddenState(), reference.lastHiddenState());
        }
    }

    @Test
    void aMissingTensorIsNamedWithItsShape() throws IOException {
        Map<String, INDArray> tensors = new LinkedHashMap<>(fixture);
        tensors.remove(KEY_WEIGHT);
        Path file = write("missing.safetensors", tensors);
        assertThatThrownBy(() -> load(file, BertFixtures.config()))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessage(file + ": missing tensor '" + KEY_WEIGHT + "' [32, 32]");
    }

    @Test
    void aPoolerWithoutItsBiasIsMissingTheBias() throws IOException {
        Map<String, INDArray> tensors = new LinkedHashMap<>(fixture);
        tensors.remove("bert.pooler.dense.bias");
        Path file = write("half-pooler.safetensors", tensors);
        assertThatThrownBy(() -> load(file, BertFixtures.config()))
                .hasMessage(file + ": missing tensor 'bert.pooler.dense.bias' [32]");
    }

    @Test
    void aMisShapedTensorIsNamedWithBothShapes() {
        BertConfig smallerVocab = new BertConfig(100, 32, 2, 4, 64, 40, 2, 1e-12);
        assertThatThrownBy(() -> load(BertFixtures.weights(), smallerVocab))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessage(BertFixtures.weights() + ": tensor 'bert.embeddings.word_embeddings.weight' has shape"
                        + " [120, 32] but " + smallerVocab + " expects [100, 32]");
    }

    @Test
    void layersBeyondTheConfigAreUnexpected() {
        BertConfig oneLayer = new BertConfig(120, 32, 1, 4, 64, 40, 2, 1e-12);
        assertThatThrownBy(() -> load(BertFixtures.weights(), oneLayer))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageStartingWith(BertFixtures.weights()
                        + ": unexpected tensor 'bert.encoder.layer.1.attention.output.LayerNorm.bias' [32] for "
                        + oneLayer + " (and 15 more problems)");
    }

    @Test
    void aLayerNormStoredUnderBothNamesIsRefused() throws IOException {
        Map<String, INDArray> tensors = new LinkedHashMap<>(fixture);
        tensors.put("bert.embeddings.LayerNorm.gamma", fixture.get("bert.embeddings.LayerNorm.weight"));
        Path file = write("both.safetensors", tensors);
        assertThatThrownBy(() -> load(file, BertFixtures.config()))
                .hasMessageContaining("are both bert.embeddings.LayerNorm.weight");
    }

    @Test
    void aTensorHoldingNanIsRefused() throws IOException {
        Map<String, INDArray> tensors = new LinkedHashMap<>(fixture);
        INDArray broken = fixture.get(KEY_WEIGHT).dup();
        broken.putScalar(3, Float.NaN);
        tensors.put(KEY_WEIGHT, broken);
        Path file = write("nan.safetensors", tensors);
        assertThatThrownBy(() -> load(file, BertFixtures.config()))
                .hasMessage(file + ": tensor '" + KEY_WEIGHT + "' holds NaN or Inf values; the checkpoint is damaged");
    }

    private static BertEncoder load(Path file, BertConfig config) {
        return BertEncoder.load(config, file);
    }

    private static Map<String, INDArray> renamed(UnaryOperator<String> rename) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        fixture.forEach((name, t) -> out.put(rename.apply(name), t));
        return out;
    }

    private Path write(String name, Map<String, INDArray> tensors) throws IOException {
        SafetensorsWriter writer = new SafetensorsWriter();
        tensors.forEach((key, t) -> writer.addArray(key, t, DType.F32));
        Path file = dir.resolve(name);
        writer.write(file);
        return file;
    }

    private static void assertSameOutputs(BertEncoder encoder) {
        try (BertOutputs out = BertFixtures.run(encoder, Set.of())) {
            for (int n = 0; n < out.hiddenStates().size(); n++) {
                assertIdentical(
                        out.hiddenStates().get(n), reference.hiddenStates().get(n));
            }
            assertIdentical(out.pooled(), reference.pooled());
        }
    }

    /** The same tensors give the same floats, bit for bit. */
    static void assertIdentical(INDArray actual, INDArray expected) {
        assertThat(actual.shape()).isEqualTo(expected.shape());
        assertThat(actual.sub(expected).amaxNumber().doubleValue()).isZero();
    }
}
