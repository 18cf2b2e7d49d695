package io.distillery.extract;

import io.distillery.model.clip.ClipConfig;
import io.distillery.model.clip.ClipModel;
import io.distillery.spark.ModelFiles;
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
 * The open_clip teacher of one JVM (executor, or the driver, which loads it once to check the files and describe the
 * dataset): the model and CLIP's BPE tokenizer, loaded on first use and shared by every task (the model only reads
 * its weights, so concurrent tasks run passes at once; the tokenizer is thread-safe).
 */
record ClipTeacher(ClipConfig config, ClipModel model, ClipTokenizer tokenizer) {
    private static final Logger LOG = LoggerFactory.getLogger(ClipTeacher.class);
    private static final Map<String, ClipTeacher> LOADED = new ConcurrentHashMap<>();

    /**
     * OpenAI CLIP's normalisation (open_clip's OPENAI_DATASET_MEAN / STD), which open_clip's pretrained ViTs use.
     */
    static final double[] MEAN = {0.48145466, 0.4578275, 0.40821073};

    static final double[] STD = {0.26862954, 0.26130258, 0.27577711};

    static ClipTeacher get(ExtractSettings s, Configuration conf) {
        String key = s.teacher().model() + "|" + s.teacher().checkpoint() + "|"
                + s.text().tokenizer();
        return LOADED.computeIfAbsent(key, k -> load(s, conf));
    }

    private static ClipTeacher load(ExtractSettings s, Configuration conf) {
        long start = System.nanoTime();
        try {
            ClipConfig config =
                    ClipConfig.fromJson(ModelFiles.localCopy(s.teacher().model(), conf));
            ClipModel model =
                    ClipModel.load(config, ModelFiles.localCopy(s.teacher().checkpoint(), conf));
            ClipTokenizer tokenizer = tokenizer(s.text().tokenizer(), conf);
            if (tokenizer.vocabSize() > config.text().vocabSize()) {
                throw new IllegalArgumentException(ExtractSettings.SECTION + ".text.tokenizer "
                        + (s.text().tokenizer() == null
                                ? "(the bundled OpenAI vocabulary)"
                                : s.text().tokenizer())
                        + " has " + tokenizer.vocabSize() + " tokens but the teacher's text_cfg.vocab_size is "
                        + config.text().vocabSize());
            }
            LOG.info(
                    "open_clip teacher {} loaded in {} ms",
                    s.teacher().checkpoint(),
                    (System.nanoTime() - start) / 1_000_000);
            return new ClipTeacher(config, model, tokenizer);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot load open_clip teacher " + s.teacher().checkpoint() + ": " + e.getMessage(), e);
        }
    }

    /** The bundled OpenAI vocabulary, or open_clip's merges file ({@code bpe_simple_vocab_16e6.txt.gz}). */
    private static ClipTokenizer tokenizer(String file, Configuration conf) throws IOException {
        if (file == null) {
            return ClipTokenizer.openaiDefault();
        }
        if (file.toLowerCase(Locale.ROOT).endsWith(".json")) {
            throw new IllegalArgumentException(ExtractSettings.SECTION + ".text.tokenizer " + file
                    + ": an open_clip teacher reads open_clip's merges file (bpe_simple_vocab_16e6.txt.gz), or null"
                    + " for the bundled OpenAI vocabulary");
        }
        return ClipTokenizer.fromMerges(ModelFiles.localCopy(file, conf));
    }

    /** Tokens per caption: the text tower's context length. */
    int contextLength() {
        return config.text().contextLength();
    }
}
