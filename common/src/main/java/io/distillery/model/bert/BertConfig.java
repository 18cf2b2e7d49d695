package io.distillery.model.bert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The hyper-parameters of a BERT encoder, named as in Hugging Face's {@code BertConfig}: a preset
 * ({@code bert-base-uncased}, {@code bert-large-uncased}) or any size from a Hugging Face {@code config.json}.
 *
 * @param vocabSize        rows of the word embedding table
 * @param hiddenSize       D
 * @param numLayers        encoder layers
 * @param numHeads         attention heads (D must be a multiple)
 * @param intermediateSize width of the feed-forward layer
 * @param maxPositions     rows of the (learned, absolute) position table: the longest input
 * @param typeVocabSize    token types (segments)
 * @param layerNormEps     epsilon of every LayerNorm
 */
public record BertConfig(
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int intermediateSize,
        int maxPositions,
        int typeVocabSize,
        double layerNormEps) {

    private static final Map<String, BertConfig> PRESETS = new LinkedHashMap<>();

    static {
        PRESETS.put("bert-base-uncased", new BertConfig(30522, 768, 12, 12, 3072, 512, 2, 1e-12));
        PRESETS.put("bert-large-uncased", new BertConfig(30522, 1024, 24, 16, 4096, 512, 2, 1e-12));
    }

    public BertConfig {
        positive("vocab_size", vocabSize);
        positive("hidden_size", hiddenSize);
        positive("num_hidden_layers", numLayers);
        positive("num_attention_heads", numHeads);
        positive("intermediate_size", intermediateSize);
        positive("max_position_embeddings", maxPositions);
        positive("type_vocab_size", typeVocabSize);
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException(
                    "hidden_size " + hiddenSize + " is not a multiple of num_attention_heads " + numHeads);
        }
        if (!(layerNormEps > 0) || Double.isInfinite(layerNormEps)) {
            throw new IllegalArgumentException("layer_norm_eps must be a positive number, got " + layerNormEps);
        }
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** The named presets (Hugging Face's configs of those checkpoints). */
    public static Map<String, BertConfig> presets() {
        return Map.copyOf(PRESETS);
    }

    /** A preset name or the path of a Hugging Face {@code config.json}. */
    public static BertConfig resolve(String presetOrPath) {
        BertConfig preset = PRESETS.get(presetOrPath);
        if (preset != null) {
            return preset;
        }
        Path path = Path.of(presetOrPath);
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("BERT model '" + presetOrPath + "' is neither a preset "
                    + new TreeSet<>(PRESETS.keySet()) + " nor a config.json file");
        }
        return fromJson(path);
    }

    /**
     * Reads a Hugging Face {@code config.json}. A key it does not contain takes {@code BertConfig}'s default, as
     * transformers does (vocab_size 30522, hidden_size 768, num_hidden_layers 12, num_attention_heads 12,
     * intermediate_size 3072, max_position_embeddings 512, type_vocab_size 2, layer_norm_eps 1e-12); other keys
     * (dropout, initializer range, architectures, ...) are ignored. What this encoder cannot run is refused:
     * a {@code hidden_act} other than "gelu" (exact erf GELU), a {@code position_embedding_type} other than
     * "absolute", {@code is_decoder} true, a {@code model_type} other than "bert".
     *
     * @throws IllegalArgumentException naming the file and the key
     */
    public static BertConfig fromJson(Path path) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(path.toFile());
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw new IllegalArgumentException(path + ": not valid JSON: " + message, e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(path + ": a BERT config.json must be a JSON object");
        }
        requireText(path, root, "model_type", "bert", "this encoder runs BERT only");
        requireText(path, root, "hidden_act", "gelu", "only exact (erf) GELU is implemented");
        requireText(
                path, root, "position_embedding_type", "absolute", "only learned absolute positions are implemented");
        if (root.path("is_decoder").asBoolean(false)) {
            throw new IllegalArgumentException(
                    path + ": is_decoder is true, but this encoder runs BERT as a bidirectional encoder only");
        }
        try {
            return new BertConfig(
                    integer(path, root, "vocab_size", 30522),
                    integer(path, root, "hidden_size", 768),
                    integer(path, root, "num_hidden_layers", 12),
                    integer(path, root, "num_attention_heads", 12),
                    integer(path, root, "intermediate_size", 3072),
                    integer(path, root, "max_position_embeddings", 512),
                    integer(path, root, "type_vocab_size", 2),
                    number(path, root, "layer_norm_eps", 1e-12));
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(path.toString())
                    ? e
                    : new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
    }

    private static void requireText(Path path, JsonNode root, String key, String expected, String why) {
        JsonNode node = root.get(key);
        if (node == null || node.isNull()) {
            return; // transformers' default is the supported value
        }
        if (!node.isTextual() || !node.asText().equals(expected)) {
            throw new IllegalArgumentException(
                    path + ": " + key + " is " + node + ", but " + why + " (" + key + " \"" + expected + "\")");
        }
    }

    private static int integer(Path path, JsonNode root, String key, int fallback) {
        JsonNode node = root.get(key);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw new IllegalArgumentException(path + ": " + key + " must be an integer, got " + node);
        }
        return node.asInt();
    }

    private static double number(Path path, JsonNode root, String key, double fallback) {
        JsonNode node = root.get(key);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isNumber()) {
            throw new IllegalArgumentException(path + ": " + key + " must be a number, got " + node);
        }
        return node.asDouble();
    }

    @Override
    public String toString() {
        return "BERT " + numLayers + " layers x " + hiddenSize + " (" + numHeads + " heads, FFN " + intermediateSize
                + ", vocab " + vocabSize + ", " + maxPositions + " positions, " + typeVocabSize + " token types)";
    }
}
