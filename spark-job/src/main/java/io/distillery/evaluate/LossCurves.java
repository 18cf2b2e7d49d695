package io.distillery.evaluate;

import io.distillery.report.LossCurvePlot;
import io.distillery.report.MetricsRecord;
import io.distillery.train.MetricsFile;
import java.io.IOException;
import java.nio.file.Path;
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
        return MetricsFile.read(fs, file).stream().map(io.distillery.train.MetricsRecord::toPlotPoint).toList();
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
