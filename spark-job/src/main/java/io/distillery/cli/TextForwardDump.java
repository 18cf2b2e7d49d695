package io.distillery.cli;

import io.distillery.model.bert.BertConfig;
import io.distillery.model.bert.BertEncoder;
import io.distillery.model.bert.BertOutputs;
import io.distillery.provenance.Sha256;
import io.distillery.spark.TextModelFiles;
import io.distillery.targets.MaskedTargets;
import io.distillery.targets.TargetRecipe;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TextTargetRecipe;
import io.distillery.targets.TextTargets;
import io.distillery.text.Encoding;
import io.distillery.text.WordPieceTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code distillery forward --texts}: a BERT on the lines of a text file, dumped as float32 {@code .npy} files
 * ({@link DumpFolder}): the token ids and attention mask, every hidden state, every layer's FFN branch and the
 * data2vec targets as {@code extract} computes them ({@link TextTargets}).
 */
final class TextForwardDump {
    private final BertConfig config;
    private final Path weights;
    private final Path textsFile;
    private final Path tokenizerFile;
    private final boolean lowercase;
    private final Integer maxLength;
    private final TextTargetRecipe recipe;
    private final Path out;
    private final boolean overwrite;

    /**
     * @param maxLength tokens per text; null: the longest text's token count
     * @param topK      the last K layers averaged into the target; null: all
     */
    TextForwardDump(
            BertConfig config,
            Path weights,
            Path textsFile,
            Path tokenizerFile,
            boolean lowercase,
            Integer maxLength,
            TargetTensor targetTensor,
            Integer topK,
            boolean layerNormTargets,
            Path out,
            boolean overwrite) {
        int k = topK == null ? config.numLayers() : topK;
        if (k < 1 || k > config.numLayers()) {
            throw new IllegalArgumentException("--top-k " + k + " must be within 1.." + config.numLayers());
        }
        this.config = config;
        this.weights = weights;
        this.textsFile = textsFile;
        this.tokenizerFile = tokenizerFile;
        this.lowercase = lowercase;
        this.maxLength = maxLength;
        this.recipe = new TextTargetRecipe(targetTensor, k, TargetRecipe.DEFAULT_EPS, layerNormTargets);
        this.out = out;
        this.overwrite = overwrite;
    }

    void run() throws IOException {
        DumpFolder.check(out, overwrite);
        List<String> texts = readTexts(textsFile);
        if (!Files.isRegularFile(tokenizerFile)) {
            throw new IllegalArgumentException("--tokenizer " + tokenizerFile + " does not exist");
        }
        WordPieceTokenizer tokenizer =
                TextModelFiles.tokenizer("--tokenizer", tokenizerFile.toString(), lowercase, tokenizerFile);
        if (tokenizer.vocabSize() > config.vocabSize()) {
            throw new IllegalArgumentException("--tokenizer " + tokenizerFile + " has " + tokenizer.vocabSize()
                    + " tokens but the model's vocab_size is " + config.vocabSize());
        }
        int length = maxLength != null ? maxLength : longest(tokenizer, texts);
        if (length < 2 || length > config.maxPositions()) {
            throw new IllegalArgumentException("--max-length " + length + " must be within 2.." + config.maxPositions()
                    + " (the model's max_position_embeddings)"
                    + (maxLength == null ? "; the longest text has " + length + " tokens, pass --max-length" : ""));
        }
        List<Encoding> encodings = new ArrayList<>();
        for (String text : texts) {
            encodings.add(tokenizer.encode(text, length));
        }
        int b = encodings.size();
        float[] ids = new float[b * length];
        int[] mask = new int[b * length];
        for (int i = 0; i < b; i++) {
            int[] row = encodings.get(i).ids();
            for (int t = 0; t < length; t++) {
                ids[i * length + t] = row[t];
            }
            System.arraycopy(encodings.get(i).attentionMask(), 0, mask, i * length, length);
        }

        BertEncoder encoder = BertEncoder.load(config, weights);
        Map<String, INDArray> outputs = new LinkedHashMap<>();
        outputs.put("input_ids", Nd4j.create(ids, new long[] {b, length}, 'c'));
        outputs.put(
                "attention_mask", Nd4j.createFromArray(mask).reshape(b, length).castTo(DataType.FLOAT));
        try (BertOutputs bert = encoder.forward(encodings, Set.of(), true)) {
            List<INDArray> hidden = bert.hiddenStates();
            for (int l = 0; l < hidden.size(); l++) {
                outputs.put("hidden_states_" + twoDigits(l), hidden.get(l).dup('c'));
            }
            for (int l = 0; l < bert.ffnOutputs().size(); l++) {
                outputs.put("ffn_" + twoDigits(l + 1), bert.ffnOutputs().get(l).dup('c'));
            }
            List<INDArray> perLayer =
                    recipe.tensor() == TargetTensor.FFN ? bert.ffnOutputs() : hidden.subList(1, hidden.size());
            MaskedTargets targets = TextTargets.compute(perLayer, mask, recipe);
            outputs.put("target", Nd4j.create(targets.values(), new long[] {b, length, targets.dim()}, 'c'));
        }
        DumpFolder.requireFinite(weights, out, outputs, i -> "text line " + (i + 1));
        writeManifest(texts.size(), length, DumpFolder.writeArrays(out, outputs));
    }

    /** Every line of the file is one text (a blank line too); a file without lines is refused. */
    static List<String> readTexts(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--texts " + file + " is not a file");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.stream().allMatch(String::isBlank)) {
            throw new IllegalArgumentException("--texts " + file + " holds no texts (one text a line)");
        }
        return lines;
    }

    private static int longest(WordPieceTokenizer tokenizer, List<String> texts) {
        int longest = 0;
        for (String text : texts) {
            longest = Math.max(longest, tokenizer.encode(text).length());
        }
        return longest;
    }

    private static String twoDigits(int n) {
        return String.format(Locale.ROOT, "%02d", n);
    }

    private void writeManifest(int texts, int length, Map<String, long[]> arrays) throws IOException {
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("model", config.toString());
        manifest.put("weights", weights.toAbsolutePath().toString());
        manifest.put("weights_sha256", Sha256.of(weights));
        manifest.put("texts", textsFile.toAbsolutePath().toString());
        manifest.put("text_count", texts);
        Map<String, Object> tokenizer = new LinkedHashMap<>();
        tokenizer.put("file", tokenizerFile.toAbsolutePath().toString());
        tokenizer.put("sha256", Sha256.of(tokenizerFile));
        if (!TextModelFiles.tokenizerJson(tokenizerFile.toString())) {
            tokenizer.put("lowercase", lowercase);
        }
        tokenizer.put("max_length", length);
        manifest.put("tokenizer", tokenizer);
        manifest.put(
                "input_ids",
                "float32 holding exact integer ids (as attention_mask holds 0 / 1); [CLS] text [SEP], right-padded"
                        + " with [PAD] to max_length, longer texts truncated");
        Map<String, Object> target = new LinkedHashMap<>();
        target.put("tensor", recipe.tensor().name().toLowerCase(Locale.ROOT));
        target.put("top_k", recipe.topK());
        target.put("eps", recipe.eps());
        target.put("layer_norm", recipe.layerNorm());
        target.put("padding", "instance-norm statistics over real tokens only; padded positions 0");
        manifest.put("target", target);
        DumpFolder.writeManifest(out, manifest, arrays);
    }
}
