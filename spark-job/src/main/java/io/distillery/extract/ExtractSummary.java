package io.distillery.extract;

import java.util.List;
import java.util.Locale;

/** Totals of one extract run (skipped shards included), and what went wrong if anything. */
public record ExtractSummary(
        int shards,
        int skipped,
        long images,
        long rows,
        long rejects,
        long dataBytes,
        double seconds,
        List<String> failures,
        boolean rejectLimitExceeded,
        String output) {

    public boolean ok() {
        return failures.isEmpty() && !rejectLimitExceeded;
    }

    public double rejectFraction() {
        return images == 0 ? 0 : (double) rejects / images;
    }

    @Override
    public String toString() {
        return String.format(
                Locale.ROOT,
                "%d shards (%d already done), %d samples, %d rows, %d rejects (%.2f%%), " + "%.1f MB written, %.1f s%s",
                shards,
                skipped,
                images,
                rows,
                rejects,
                100 * rejectFraction(),
                dataBytes / 1e6,
                seconds,
                failures.isEmpty() ? "" : ", " + failures.size() + " shard(s) failed");
    }
}
