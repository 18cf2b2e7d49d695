package io.distillery.extract;

import io.distillery.model.clip.ClipConfig;
import io.distillery.model.clip.ClipModel;
import io.distillery.spark.ClipModels;
import io.distillery.text.ClipTokenizer;
import org.apache.hadoop.conf.Configuration;

/** The open_clip teacher of an extract (see {@link ClipModels}: one per JVM, shared by every task). */
record ClipTeacher(ClipConfig config, ClipModel model, ClipTokenizer tokenizer) {
    static final double[] MEAN = ClipModels.MEAN;
    static final double[] STD = ClipModels.STD;

    static ClipTeacher get(ExtractSettings s, Configuration conf) {
        ClipModels.Loaded loaded = ClipModels.get(
                s.teacher().model(),
                s.teacher().checkpoint(),
                s.text().tokenizer(),
                ExtractSettings.SECTION + ".text.tokenizer",
                conf);
        return new ClipTeacher(loaded.config(), loaded.model(), loaded.tokenizer());
    }

    /** Tokens per caption: the text tower's context length. */
    int contextLength() {
        return config.text().contextLength();
    }
}
