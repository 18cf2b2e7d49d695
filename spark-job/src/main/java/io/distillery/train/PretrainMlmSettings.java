package io.distillery.train;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.distillery.config.SectionReader;

/**
 * Settings of {@code distillery pretrain-mlm}: the shared training knobs plus the text corpus, vocabulary, model
 * shape and BERT's masking recipe.
 *
 * @param corpus      a text file or a directory of them: one example a line, optionally {@code label<TAB>text}
 * @param vocab       a WordPiece vocab.txt with [CLS], [SEP], [PAD] and [MASK]
 * @param modelConfig a Hugging Face BERT config.json (hidden_size, num_hidden_layers, ...)
 * @param maxLength   tokens per example, [CLS] and [SEP] included (longer texts are truncated)
 * @param copies      differently masked copies of every example (BERT's dupe factor)
 */
public record PretrainMlmSettings(
        TrainSettings common,
        String corpus,
        String vocab,
        String modelConfig,
        boolean lowercase,
        int maxLength,
        double probability,
        double maskFraction,
        double randomFraction,
        int copies) {

    public static final String SECTION = "distillery.pretrain-mlm";

    public static PretrainMlmSettings from(Config c) {
        TrainSettings common = TrainSettings.from(c, SECTION);
        SectionReader r = new SectionReader(c, SECTION);
        try {
            PretrainMlmSettings s = new PretrainMlmSettings(
                    common,
                    r.required("corpus"),
                    r.required("vocab"),
                    r.required("model-config"),
                    c.getBoolean("lowercase"),
                    c.getInt("max-length"),
                    c.getDouble("mlm.probability"),
                    c.getDouble("mlm.mask-fraction"),
                    c.getDouble("mlm.random-fraction"),
                    c.getInt("mlm.copies"));
            if (s.maxLength() < 3 || s.copies() < 1) {
                throw new IllegalArgumentException(SECTION + ": max-length must be >= 3 and mlm.copies >= 1");
            }
            return s;
        } catch (ConfigException e) {
            throw new IllegalArgumentException(SECTION + ": " + e.getMessage(), e);
        }
    }
}
