package io.distillery.train;

import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Writes {@code loss.png} for a run (placeholder until the plotting package lands). */
final class LossCurve {
    private LossCurve() {
    }

    static void writeIfPossible(FileSystem fs, Path runDir, List<MetricsRecord> records) {
        // filled in with the report package's LossCurvePlot
    }
}
