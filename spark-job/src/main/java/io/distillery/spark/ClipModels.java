package io.distillery.spark;

import io.distillery.model.clip.ClipConfig;
import io.distillery.model.clip.ClipModel;
import io.distillery.text.ClipTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * open_clip models of one JVM (an executor, or the driver), each with CLIP's BPE tokenizer, loaded on first use from
 * paths every executor can read and shared by every task: the model only reads its weights (concurrent passes are
 * safe) and the tokenizer is thread-safe.
 */
public final class ClipModels {
    private static final Logger LOG = LoggerFactory.getLogger(ClipModels.class);
    private static final Map<String, Loaded> LOADED = new ConcurrentHashMap<>();

    /**
     * OpenAI CLIP's normalisation (open_clip's OPENAI_DATASET_MEAN / STD), which open_clip's pretrained ViTs use.
     */
    public static final double[] MEAN = {0.48145466, 0.4578275, 0.40821073};

    public static final double[] STD = {0.26862954, 0.26130258, 0.27577711};

    /** A loaded model and the tokenizer its texts go through. */
    public record Loaded(ClipConfig config, ClipModel model, ClipTokenizer tokenizer) {
        /** Tokens per text: the text tower's context length. */
        public int contextLength() {
            return config.text().contextLength();
        }
    }

    private ClipModels() {}

    /**
     * @param model      open_clip model config JSON
     * @param checkpoint its state_dict as safetensors
     * @param tokenizer  open_clip's merges file ({@code bpe_simple_vocab_16e6.txt.gz}), a CLIP {@code tokenizer.json}, or
     *                   null for the bundled one
     * @param key        the setting naming the tokenizer, for errors (e.g. {@code distillery.extract.text.tokenizer})
     */
    public static Loaded get(String model, String checkpoint, String tokenizer, String key, Configuration conf) {
        return LOADED.computeIfAbsent(
                model + "|" + checkpoint + "|" + tokenizer, k -> load(model, checkpoint, tokenizer, key, conf));
    }

    private static Loaded load(String model, String checkpoint, String tokenizerFile, String key, Configuration conf) {
        long start = System.nanoTime();
        try {
            ClipConfig config = ClipConfig.fromJson(ModelFiles.localCopy(model, conf));
            ClipModel clip = ClipModel.load(config, ModelFiles.localCopy(checkpoint, conf));
            ClipTokenizer tokenizer = tokenizer(tokenizerFile, conf);
            if (tokenizer.vocabSize() > config.text().vocabSize()) {
                throw new IllegalArgumentException(
                        key + " " + (tokenizerFile == null ? "(the bundled OpenAI vocabulary)" : tokenizerFile)
                                + " has " + tokenizer.vocabSize() + " tokens but " + model + " has text_cfg.vocab_size "
                                + config.text().vocabSize());
            }
            LOG.info("open_clip model {} loaded in {} ms", checkpoint, (System.nanoTime() - start) / 1_000_000);
            return new Loaded(config, clip, tokenizer);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load open_clip model " + checkpoint + ": " + e.getMessage(), e);
        }
    }

    /** The bundled vocabulary, a CLIP {@code tokenizer.json} (by its name), or open_clip's merges file. */
    public static ClipTokenizer tokenizer(String file, Configuration conf) throws IOException {
        if (file == null) {
            return ClipTokenizer.openaiDefault();
        }
        java.nio.file.Path local = ModelFiles.localCopy(file, conf);
        return file.toLowerCase(Locale.ROOT).endsWith(".json")
                ? ClipTokenizer.fromTokenizerJson(local)
                : ClipTokenizer.fromMerges(local);
    }
}
