package io.distillery.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.report.MetricsRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loss curve of a run, as train draws it into the run dir and evaluate's loss-run draws it beside a report. */
class LossCurveTest {
    private static final String LINES = """
            {"iteration":8,"epoch":0,"loss":2.5,"learning_rate":1.0E-4,"images_per_second":40.0,"wall_seconds":3.0}
            {"iteration":16,"epoch":1,"loss":1.25,"learning_rate":2.0E-4,"images_per_second":42.0,"wall_seconds":6.0}
            """;

    private static java.util.List<MetricsRecord> read(Path run) throws Exception {
        return MetricsFile.read(
                FileSystem.getLocal(new Configuration()),
                new org.apache.hadoop.fs.Path(run.resolve(MetricsFile.NAME).toUri()));
    }

    @Test
    void plotsEveryRoundOfARun(@TempDir Path run) throws Exception {
        assertThat(LossCurve.plotRun(run.toString(), run.resolve("loss.png"), new Configuration()))
                .isEmpty();
        assertThat(run.resolve("loss.png")).doesNotExist();
        Files.writeString(run.resolve("metrics.jsonl"), LINES);
        assertThat(read(run))
                .containsExactly(
                        new MetricsRecord(8, 0, 2.5, 1e-4, 40, 3), new MetricsRecord(16, 1, 1.25, 2e-4, 42, 6));
        assertThat(LossCurve.plotRun(run.toString(), run.resolve("report.png"), new Configuration()))
                .contains(run.resolve("report.png"));
        assertThat(Files.size(run.resolve("report.png"))).isPositive();
    }

    @Test
    void trainWritesLossPngIntoTheRunDirAndNothingForNoRounds(@TempDir Path run) throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(run.toUri());
        LossCurve.writeToRun(fs, dir, java.util.List.of());
        assertThat(run.resolve("loss.png")).doesNotExist();
        LossCurve.writeToRun(
                fs,
                dir,
                java.util.List.of(new MetricsRecord(2, 0, 1, 1e-3, 10, 1), new MetricsRecord(4, 0, 0.5, 1e-3, 10, 2)));
        assertThat(Files.readAllBytes(run.resolve("loss.png"))).startsWith(0x89, 'P', 'N', 'G');
    }

    @Test
    void aRewriteCutBeforeItsRenameLeavesTheTemporaryCopyToRead(@TempDir Path run) throws Exception {
        Files.writeString(run.resolve("_tmp-metrics.jsonl"), LINES);
        assertThat(read(run)).hasSize(2);
        assertThat(LossCurve.plotRun(run.toString(), run.resolve("loss.png"), new Configuration()))
                .isPresent();
    }
}
