package io.distillery.extract;

import io.distillery.shards.RawSample;
import io.distillery.shards.SampleProblem;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides, before decoding, whether a sample read from one shard may become rows: the reader's own verdict (no
 * image), a key already read in this shard (the first copy is kept), a label outside the known classes.
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

    /** A rejection: the reason stored in the rejects table and its message. */
    record Verdict(SampleProblem problem, String message) {}
}
