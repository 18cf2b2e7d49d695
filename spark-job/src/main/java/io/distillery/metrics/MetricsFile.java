package io.distillery.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.report.MetricsRecord;
import io.distillery.report.ReportFormatException;
import io.distillery.spark.AtomicHadoopFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A run's {@code metrics.jsonl}: one {@link MetricsRecord} as a JSON object per line, one line per averaging round.
 * The file lives on any Hadoop filesystem (where appending is not always possible), so it is rewritten whole through
 * a temporary file and a rename; a reader therefore always sees complete lines. Rewriting after every round would
 * cost O(rounds²) bytes over a long run, so a new round triggers a rewrite only once {@code minInterval} (10 s) and
 * 20× the last rewrite's duration have passed since the last rewrite (the first round always does; rewrites then take
 * under 5 % of the run); {@link #flush()} writes what is pending (at every checkpoint, on divergence and at the end).
 */
public final class MetricsFile {
    /** The file's name in a run directory. */
    public static final String NAME = "metrics.jsonl";

    // a missing field is an error unless MetricsRecord marks it optional; a later build may add fields
    private static final ObjectMapper JSON =
            new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private final FileSystem fs;
    private final Path path;
    private final List<MetricsRecord> records = new ArrayList<>();
    private final long minIntervalNanos;
    private long lastWriteEnd;
    private long lastWriteNanos;
    private boolean written;
    private boolean pending;

    public MetricsFile(FileSystem fs, Path path) {
        this(fs, path, Duration.ofSeconds(10));
    }

    MetricsFile(FileSystem fs, Path path, Duration minInterval) {
        this.fs = fs;
        this.path = path;
        this.minIntervalNanos = minInterval.toNanos();
    }

    /** Loads the lines of an earlier session that pass {@code keep} (a resumed run drops rounds after its checkpoint). */
    public void load(Predicate<MetricsRecord> keep) throws IOException {
        records.clear();
        read(fs, path).stream().filter(keep).forEach(records::add);
    }

    /**
     * Every round in a run's metrics file; empty when there is none yet. A crash between the delete and the rename
     * of a rewrite leaves only the complete temporary copy, which is read instead.
     *
     * @throws ReportFormatException naming the file and line when a line is not a metrics record
     */
    public static List<MetricsRecord> read(FileSystem fs, Path path) throws IOException {
        Path source = fs.exists(path) ? path : temporary(path);
        List<MetricsRecord> out = new ArrayList<>();
        if (!fs.exists(source)) {
            return out;
        }
        try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(source), StandardCharsets.UTF_8))) {
            String line;
            for (int lineNo = 1; (line = in.readLine()) != null; lineNo++) {
                if (!line.isBlank()) {
                    out.add(parse(line, source + ":" + lineNo));
                }
            }
        }
        return out;
    }

    private static MetricsRecord parse(String line, String where) {
        try {
            return JSON.readValue(line, MetricsRecord.class);
        } catch (JsonProcessingException e) {
            // a record's own check (e.g. a negative iteration) arrives wrapped; its message is the useful one
            String why = e.getCause() instanceof IllegalArgumentException cause
                    ? cause.getMessage()
                    : e.getOriginalMessage();
            throw new ReportFormatException(
                    where + ": not a metrics record: " + why.lines().findFirst().orElse(""), e);
        }
    }

    /** Adds a round; the file is rewritten now only if the last rewrite is old enough (the first one always is). */
    public void append(MetricsRecord record) throws IOException {
        records.add(record);
        pending = true;
        long sinceLast = System.nanoTime() - lastWriteEnd;
        if (!written || sinceLast >= Math.max(minIntervalNanos, 20 * lastWriteNanos)) {
            write();
        }
    }

    /** Writes the rounds not yet in the file. */
    public void flush() throws IOException {
        if (pending) {
            write();
        }
    }

    private void write() throws IOException {
        long start = System.nanoTime();
        Path tmp = temporary(path);
        try (OutputStream out = fs.create(tmp, true)) {
            for (MetricsRecord r : records) {
                out.write(JSON.writeValueAsBytes(r));
                out.write('\n');
            }
        }
        AtomicHadoopFiles.replace(fs, tmp, path);
        lastWriteEnd = System.nanoTime();
        lastWriteNanos = lastWriteEnd - start;
        written = true;
        pending = false;
    }

    private static Path temporary(Path path) {
        return new Path(path.getParent(), "_tmp-" + path.getName());
    }

    /** The rounds so far, in order. */
    public List<MetricsRecord> records() {
        return List.copyOf(records);
    }
}
