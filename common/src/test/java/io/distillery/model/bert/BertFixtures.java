package io.distillery.model.bert;

import io.distillery.npy.NpyReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The tiny random BERT of src/test/resources/bert (written by its generate.py) and its reference outputs. */
public final class BertFixtures {
    public static final int LAYERS = 2;
    static final int HEADS = 4;
    static final int HIDDEN = 32;

    private BertFixtures() {}

    static Path dir() {
        URL config = BertFixtures.class.getResource("/bert/config.json");
        if (config == null) {
            throw new IllegalStateException("BERT fixtures not on the test classpath (/bert/config.json)");
        }
        try {
            return Path.of(config.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static BertConfig config() {
        return BertConfig.fromJson(dir().resolve("config.json"));
    }

    public static Path weights() {
        return dir().resolve("weights.safetensors");
    }

    /** An array in its stored type (int64 inputs stay LONG, outputs FLOAT). */
    public static INDArray array(String name) {
        try {
            return NpyReader.readExact(dir().resolve(name + ".npy"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BertOutputs run(BertEncoder encoder, java.util.Set<Integer> attentionLayers) {
        return encoder.forward(array("input_ids"), array("attention_mask"), array("token_type_ids"), attentionLayers);
    }
}
