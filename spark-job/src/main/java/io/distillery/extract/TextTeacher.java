package io.distillery.extract;

import io.distillery.model.bert.BertConfig;
import io.distillery.model.bert.BertEncoder;
import io.distillery.spark.ModelFiles;
import io.distillery.spark.TextModelFiles;
import io.distillery.text.WordPieceTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The text teacher of one executor JVM: a BERT encoder and its tokenizer, loaded on first use and shared by every
 * task (the encoder only reads its weights, so concurrent tasks run passes on it at once; the tokenizer is
 * immutable). Tasks never carry the weights in their closures.
 */
record TextTeacher(BertConfig config, BertEncoder encoder, WordPieceTokenizer tokenizer) {
    private static final Logger LOG = LoggerFactory.getLogger(TextTeacher.class);
    private static final Map<String, TextTeacher> LOADED = new ConcurrentHashMap<>();

    /** This JVM's teacher for text input (loaded once per model, checkpoint and tokenizer). */
    static TextTeacher get(ExtractSettings s, Configuration conf) {
        return get(s.teacher().model(), s.teacher().checkpoint(), s.text(), conf);
    }

    /** This JVM's caption teacher of an image extract. */
    static TextTeacher captions(ExtractSettings s, Configuration conf) {
        return get(s.captionTeacher().model(), s.captionTeacher().checkpoint(), s.text(), conf);
    }

    private static TextTeacher get(String model, String checkpoint, ExtractSettings.Text text, Configuration conf) {
        String key = model + "|" + checkpoint + "|" + text.tokenizer() + "|" + text.lowercase();
        return LOADED.computeIfAbsent(key, k -> load(model, checkpoint, text, conf));
    }

    private static TextTeacher load(String model, String checkpoint, ExtractSettings.Text text, Configuration conf) {
        long start = System.nanoTime();
        try {
            BertConfig config = config(model, conf);
            BertEncoder encoder = BertEncoder.load(config, ModelFiles.localCopy(checkpoint, conf));
            WordPieceTokenizer tokenizer = tokenizer(text, ModelFiles.localCopy(text.tokenizer(), conf));
            LOG.info("text teacher {} loaded in {} ms", checkpoint, (System.nanoTime() - start) / 1_000_000);
            return new TextTeacher(config, encoder, tokenizer);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load text teacher " + checkpoint + ": " + e.getMessage(), e);
        }
    }

    /** A BERT preset or a config.json on any Hadoop filesystem. */
    static BertConfig config(String presetOrPath, Configuration conf) throws IOException {
        return TextModelFiles.bertConfig(presetOrPath, conf);
    }

    /**
     * The tokenizer the settings name; a file that cannot be read or parsed gives one line naming it and the key.
     */
    static WordPieceTokenizer tokenizer(ExtractSettings.Text text, Path local) {
        return TextModelFiles.tokenizer(
                ExtractSettings.SECTION + ".text.tokenizer", text.tokenizer(), text.lowercase(), local);
    }
}
