package io.distillery.metrics;

import io.distillery.report.LossCurvePlot;
import io.distillery.report.MetricsRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run's loss curve as a PNG (loss per round, with a smoothed line): train writes {@code <run>/loss.png} at the end of
 * every session, evaluate plots a finished run's {@code metrics.jsonl} beside its report. Both go through here, so
 * the two pictures of one run are drawn alike.
 */
public final class LossCurve {
    private static final Logger LOG = LoggerFactory.getLogger(LossCurve.class);
    private static final LossCurvePlot.Settings SETTINGS =
            LossCurvePlot.Settings.defaults().withSmoothing(0.9);

    private LossCurve() {}

    /** {@code <runDir>/loss.png} from {@code records} (nothing when empty); the run dir may be on any filesystem. */
    public static void writeToRun(FileSystem fs, Path runDir, List<MetricsRecord> records) throws IOException {
        if (records.isEmpty()) {
            return;
        }
        // XChart writes local files only: draw locally, then copy onto the run's filesystem.
        java.nio.file.Path local = Files.createTempFile("distillery-loss", ".png");
        try {
            LossCurvePlot.write(records, local, SETTINGS);
            Path png = new Path(runDir, "loss.png");
            fs.copyFromLocalFile(false, true, new Path(local.toUri()), png);
            LOG.info("loss curve: {}", png);
        } finally {
            Files.deleteIfExists(local);
        }
    }

    /** Plots the run's {@code metrics.jsonl} to the local {@code png}; empty when the run has no metrics yet. */
    public static Optional<java.nio.file.Path> plotRun(String runDir, java.nio.file.Path png, Configuration conf)
            throws IOException {
        Path file = new Path(runDir, MetricsFile.NAME);
        FileSystem fs = file.getFileSystem(conf);
        List<MetricsRecord> records = MetricsFile.read(fs, file);
        if (records.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(LossCurvePlot.write(records, png, SETTINGS).file());
    }
}
