package io.distillery.report;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The records of a metrics log in file order.
 *
 * @param records  every complete record, in file order
 * @param tornTail whether an incomplete last line (a run killed mid-write) was skipped
 */
public record MetricsHistory(List<MetricsRecord> records, boolean tornTail) {

    public MetricsHistory {
        records = List.copyOf(records);
    }

    /**
     * The records as the final run saw them. A run resumed from a checkpoint repeats the iterations after that
     * checkpoint; a record whose iteration is not after its predecessor's therefore replaces the earlier records
     * from that iteration on. The result has strictly increasing iterations.
     */
    public List<MetricsRecord> effective() {
        List<MetricsRecord> out = new ArrayList<>(records.size());
        for (MetricsRecord r : records) {
            while (!out.isEmpty() && out.get(out.size() - 1).iteration() >= r.iteration()) {
                out.remove(out.size() - 1);
            }
            out.add(r);
        }
        return out;
    }

    /** The iteration of the last record, if any. */
    public OptionalLong lastIteration() {
        return records.isEmpty() ? OptionalLong.empty() : OptionalLong.of(records.get(records.size() - 1).iteration());
    }
}
