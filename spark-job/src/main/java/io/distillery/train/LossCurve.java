package io.distillery.train;

import io.distillery.report.LossCurvePlot;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes the run's {@code loss.png} (loss per round, with a smoothed line) at the end of a session. */
final class LossCurve {
    private static final Logger LOG = LoggerFactory.getLogger(LossCurve.class);

    private LossCurve() {
    }

    static void write(FileSystem fs, Path runDir, List<MetricsRecord> records) throws IOException {
        if (records.isEmpty()) {
            return;
        }
        List<io.distillery.report.MetricsRecord> points = records.stream().map(MetricsRecord::toPlotPoint).toList();
        java.nio.file.Path local = Files.createTempFile("distillery-loss", ".png");
        try {
            LossCurvePlot.write(points, local, LossCurvePlot.Settings.defaults().withSmoothing(0.9));
            fs.copyFromLocalFile(false, true, new Path(local.toUri()), new Path(runDir, "loss.png"));
            LOG.info("loss curve: {}", new Path(runDir, "loss.png"));
        } finally {
            Files.deleteIfExists(local);
        }
    }
}
