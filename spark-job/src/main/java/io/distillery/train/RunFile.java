package io.distillery.train;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.TextNode;
import io.distillery.spark.AtomicHadoopFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A run dir's {@code run.json} (a {@link RunRecord}) on any Hadoop filesystem. {@link #begin} writes it when a
 * session is about to train: a fresh run gets a new record; a resumed one keeps its record, and so its original start,
 * and appends the resume. {@link #finish} and {@link #failed} record how the session ended. Each write goes to
 * {@code _tmp-run.json} and is renamed over the old file; HDFS cannot rename onto an existing file, so the old one is
 * deleted just before, and a reader that finds no run.json reads the complete temporary copy.
 */
final class RunFile {
    static final String NAME = "run.json";
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final FileSystem fs;
    private final Path path;
    private RunRecord record;

    private RunFile(FileSystem fs, Path path, RunRecord record) {
        this.fs = fs;
        this.path = path;
        this.record = record;
    }

    /**
     * @param session the record of this session as if it started a new run (status running, iteration and start
     *                time of this session); on resume its settings, data and versions go into the resume entry
     * @param resumed whether the session continues from a checkpoint
     */
    static RunFile begin(FileSystem fs, Path runDir, RunRecord session, boolean resumed) throws IOException {
        Path path = new Path(runDir, NAME);
        RunRecord record = session;
        if (resumed) {
            Optional<RunRecord> earlier = read(fs, path);
            record = earlier.isPresent() ? resume(earlier.get(), session) : resumeOfUnknownRun(session);
        }
        RunFile file = new RunFile(fs, path, record);
        file.write();
        return file;
    }

    RunRecord record() {
        return record;
    }

    /** The steps a job takes after training (export, evaluation); they may fail like training itself. */
    @FunctionalInterface
    interface LastSteps<T> {
        T run() throws IOException;
    }

    /** Runs {@code steps}, then marks the session complete at {@code iteration}; or failed, when a step fails. */
    <T> T finish(int iteration, LastSteps<T> steps) throws IOException {
        T result;
        try {
            result = steps.run();
        } catch (Throwable e) { // Throwable: Spark's Scala code throws checked SparkException undeclared
            failed(iteration, e);
            throw e;
        }
        record = record.with(RunRecord.COMPLETE, now(), null, iteration);
        write();
        return result;
    }

    /**
     * Records the failure; never throws, so the failure itself is what the caller rethrows (a failure to write
     * run.json is attached to it as suppressed).
     */
    void failed(int iteration, Throwable cause) {
        String message = cause.getMessage() == null
                ? ""
                : cause.getMessage().lines().findFirst().orElse("");
        record = record.with(RunRecord.FAILED, now(), cause.getClass().getSimpleName() + ": " + message, iteration);
        try {
            write();
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** The run's record; empty when the run has none (a fresh run dir, or one begun before run.json existed). */
    static Optional<RunRecord> read(FileSystem fs, Path path) throws IOException {
        Path source = fs.exists(path) ? path : temporary(path);
        if (!fs.exists(source)) {
            return Optional.empty();
        }
        JsonNode node;
        try (InputStream in = fs.open(source)) {
            node = JSON.readTree(in);
        } catch (IOException e) {
            throw new IOException(
                    source + ": not valid JSON: "
                            + e.getMessage().lines().findFirst().orElse(""),
                    e);
        }
        if (node == null || !RunRecord.FORMAT.equals(node.path("format").asText())) {
            throw new IOException(source + ": not a Distillery run record (format is '"
                    + (node == null ? "" : node.path("format").asText()) + "', expected '" + RunRecord.FORMAT + "')");
        }
        int version = node.path("format_version").asInt(-1);
        if (version < 1 || version > RunRecord.CURRENT_VERSION) {
            throw new IOException(source + ": found run record version " + version + ", this build reads 1 to "
                    + RunRecord.CURRENT_VERSION);
        }
        return Optional.of(JSON.treeToValue(node, RunRecord.class));
    }

    private static RunRecord resume(RunRecord earlier, RunRecord session) {
        Map<String, RunRecord.Change> changes = changes(earlier.config(), session.config());
        String before = earlier.data() == null ? null : earlier.data().metadataSha256();
        String after = session.data() == null ? null : session.data().metadataSha256();
        if (!Objects.equals(before, after)) {
            changes.put("data.metadata_sha256", new RunRecord.Change(text(before), text(after)));
        }
        List<RunRecord.Resume> resumes = new ArrayList<>(earlier.resumes());
        resumes.add(new RunRecord.Resume(session.iteration(), session.started(), changes, session.versions()));
        return new RunRecord(
                RunRecord.FORMAT,
                RunRecord.CURRENT_VERSION,
                earlier.job(),
                RunRecord.RUNNING,
                earlier.started(),
                null,
                null,
                session.iteration(),
                session.seed(),
                session.data(),
                earlier.initCheckpoint(),
                earlier.versions(),
                resumes,
                session.config());
    }

    /** A resumed run without a record: when it started and what it was initialised from are unknown. */
    private static RunRecord resumeOfUnknownRun(RunRecord session) {
        RunRecord.Resume resume =
                new RunRecord.Resume(session.iteration(), session.started(), Map.of(), session.versions());
        return new RunRecord(
                RunRecord.FORMAT,
                RunRecord.CURRENT_VERSION,
                session.job(),
                RunRecord.RUNNING,
                null,
                null,
                null,
                session.iteration(),
                session.seed(),
                session.data(),
                null,
                session.versions(),
                List.of(resume),
                session.config());
    }

    private static JsonNode text(String s) {
        return s == null ? null : TextNode.valueOf(s);
    }

    /** Leaf settings (dotted paths; a list is one leaf) whose values differ, in the order of {@code after}. */
    static Map<String, RunRecord.Change> changes(JsonNode before, JsonNode after) {
        Map<String, JsonNode> was = new LinkedHashMap<>();
        Map<String, JsonNode> now = new LinkedHashMap<>();
        flatten("", before, was);
        flatten("", after, now);
        Map<String, RunRecord.Change> changes = new LinkedHashMap<>();
        now.forEach((key, value) -> {
            if (!value.equals(was.get(key))) {
                changes.put(key, new RunRecord.Change(was.get(key), value));
            }
        });
        was.forEach((key, value) -> {
            if (!now.containsKey(key)) {
                changes.put(key, new RunRecord.Change(value, null));
            }
        });
        return changes;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, JsonNode> into) {
        if (node == null) {
            return;
        }
        if (!node.isObject()) {
            into.put(prefix, node);
            return;
        }
        node.fields()
                .forEachRemaining(
                        e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), into));
    }

    private void write() throws IOException {
        Path tmp = temporary(path);
        try (OutputStream out = fs.create(tmp, true)) {
            out.write(JSON.writeValueAsBytes(record));
        }
        AtomicHadoopFiles.replace(fs, tmp, path);
    }

    private static Path temporary(Path path) {
        return new Path(path.getParent(), "_tmp-" + path.getName());
    }
}
