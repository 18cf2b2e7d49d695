package io.distillery.extract;

import io.distillery.shards.RawSample;
import io.distillery.shards.SampleProblem;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides, before decoding, whether a sample read from one shard may become rows: the reader's own verdict (no
 * image), a key already read in this shard (the first copy is kept), a label outside the known classes; for text
 * input also a missing or empty text.
 */
final class SampleScreen {
    private final String shard;
    private final List<String> classNames;
    private final Set<String> keys = new HashSet<>();

    /** @param classNames the plan's class names; empty when the classes are not known (labels must then be >= 0) */
    SampleScreen(String shard, List<String> classNames) {
        this.shard = shard;
        this.classNames = classNames;
    }

    /** Why {@code sample} must be rejected, or null when it may be decoded. */
    Verdict check(RawSample sample) {
        boolean first = keys.add(sample.key());
        if (sample.problem() != null) {
            return new Verdict(sample.problem(), sample.problemMessage());
        }
        if (!first) {
            return new Verdict(
                    SampleProblem.DUPLICATE,
                    "key '" + sample.key() + "' was already read in shard " + shard + "; the first copy is kept");
        }
        Integer label = sample.label();
        if (label != null && (label < 0 || (!classNames.isEmpty() && label >= classNames.size()))) {
            return new Verdict(
                    SampleProblem.BAD_LABEL,
                    "label " + label + " is outside the known classes "
                            + (classNames.isEmpty()
                                    ? "(labels are class indices >= 0)"
                                    : "0.." + (classNames.size() - 1) + " (" + classNames.size() + " class names)"));
        }
        return null;
    }

    /**
     * {@link #check}, then, for a text sample (its caption is its text), a missing or blank text; the message names
     * where the text was read and the key.
     */
    Verdict checkText(RawSample sample) {
        Verdict verdict = check(sample);
        if (verdict != null) {
            return verdict;
        }
        if (sample.caption() == null) {
            return new Verdict(
                    SampleProblem.NO_TEXT,
                    sample.imageName() + ": sample '" + sample.key() + "' has no text (webdataset: a .txt member or "
                            + "a caption/text field in .json; parquet: a non-null text or caption column)");
        }
        if (sample.caption().isBlank()) {
            return new Verdict(
                    SampleProblem.EMPTY_TEXT, sample.imageName() + ": sample '" + sample.key() + "' has an empty text");
        }
        return null;
    }

    /** A rejection: the reason stored in the rejects table and its message. */
    record Verdict(SampleProblem problem, String message) {}
}
