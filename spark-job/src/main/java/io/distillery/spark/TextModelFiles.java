package io.distillery.spark;

import io.distillery.model.bert.BertConfig;
import io.distillery.text.TokenizerFormatException;
import io.distillery.text.WordPieceTokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;

/** BERT configs and WordPiece tokenizers on any Hadoop filesystem, for the jobs that run text models. */
public final class TextModelFiles {
    private TextModelFiles() {}

    /** A BERT preset or a config.json on any Hadoop filesystem. */
    public static BertConfig bertConfig(String presetOrPath, Configuration conf) throws IOException {
        BertConfig preset = BertConfig.presets().get(presetOrPath);
        return preset != null ? preset : BertConfig.fromJson(ModelFiles.localCopy(presetOrPath, conf));
    }

    /** Whether a tokenizer file is a Hugging Face tokenizer.json (by its name) rather than a vocab.txt. */
    public static boolean tokenizerJson(String file) {
        return file.toLowerCase(Locale.ROOT).endsWith(".json");
    }

    /**
     * The tokenizer in {@code local} (a local copy of {@code file}); a file that cannot be read or parsed gives one
     * line naming it and the setting {@code key}.
     *
     * @param lowercase vocab.txt only: lowercase and strip accents (a tokenizer.json says itself)
     */
    public static WordPieceTokenizer tokenizer(String key, String file, boolean lowercase, Path local) {
        try {
            return tokenizerJson(file)
                    ? WordPieceTokenizer.fromTokenizerJson(local)
                    : WordPieceTokenizer.fromVocab(local, lowercase);
        } catch (TokenizerFormatException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(key + ": cannot read " + file + " (" + e + ")", e);
        }
    }
}
