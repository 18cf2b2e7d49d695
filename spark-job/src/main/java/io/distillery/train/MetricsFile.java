package io.distillery.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The run's {@code metrics.jsonl}: one JSON object per averaging round. The file lives on any Hadoop filesystem
 * (where appending is not always possible), so it is rewritten whole through a temporary file and a rename; a
 * reader therefore always sees complete lines.
 */
final class MetricsFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final FileSystem fs;
    private final Path path;
    private final List<MetricsRecord> records = new ArrayList<>();

    MetricsFile(FileSystem fs, Path path) {
        this.fs = fs;
        this.path = path;
    }

    /** Loads the lines of an earlier session that pass {@code keep} (a resumed run drops rounds after its checkpoint). */
    void load(Predicate<MetricsRecord> keep) throws IOException {
        records.clear();
        Path source = fs.exists(path) ? path : temporary();
        if (!fs.exists(source)) {
            return; // (a crash between delete and rename leaves only the complete temporary copy)
        }
        try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(source), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (!line.isBlank()) {
                    MetricsRecord r = JSON.readValue(line, MetricsRecord.class);
                    if (keep.test(r)) {
                        records.add(r);
                    }
                }
            }
        }
    }

    void append(MetricsRecord record) throws IOException {
        records.add(record);
        Path tmp = temporary();
        try (OutputStream out = fs.create(tmp, true)) {
            for (MetricsRecord r : records) {
                out.write(JSON.writeValueAsBytes(r));
                out.write('\n');
            }
        }
        fs.delete(path, false);
        if (!fs.rename(tmp, path)) {
            throw new IOException("could not rename " + tmp + " to " + path);
        }
    }

    private Path temporary() {
        return new Path(path.getParent(), "_tmp-" + path.getName());
    }

    List<MetricsRecord> records() {
        return List.copyOf(records);
    }
}
