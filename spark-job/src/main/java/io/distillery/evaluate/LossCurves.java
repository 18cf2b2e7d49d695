package io.distillery.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.report.LossCurvePlot;
import io.distillery.report.MetricsRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/** Plots a training run's {@code metrics.jsonl} (on any Hadoop filesystem) as a loss curve PNG. */
public final class LossCurves {
    private LossCurves() {
    }

    /** Reads the run's metrics; empty when the run has none yet. */
    public static List<MetricsRecord> read(String runDir, Configuration conf) throws IOException {
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(runDir, "metrics.jsonl");
        FileSystem fs = file.getFileSystem(conf);
        List<MetricsRecord> records = new ArrayList<>();
        if (!fs.exists(file)) {
            return records;
        }
        ObjectMapper json = new ObjectMapper();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = json.readTree(line);
                records.add(new MetricsRecord(n.path("iteration").asLong(), n.path("epoch").asInt(),
                        n.path("loss").asDouble(Double.NaN), n.path("learning_rate").asDouble(Double.NaN),
                        n.path("images_per_second").asDouble(Double.NaN), n.path("wall_seconds").asDouble(Double.NaN)));
            }
        }
        return records;
    }

    public static Optional<Path> write(String runDir, Path png, Configuration conf) throws IOException {
        List<MetricsRecord> records = read(runDir, conf);
        if (records.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(LossCurvePlot.write(records, png, LossCurvePlot.Settings.defaults()
                .withSmoothing(0.9)).file());
    }
}
