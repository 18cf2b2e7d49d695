package io.distillery.evaluate;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.report.MetricsRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** evaluate's loss-run reads the train job's metrics.jsonl, including the copy a crash mid-rewrite leaves. */
class LossCurvesTest {
    private static final String LINES = """
            {"iteration":8,"epoch":0,"loss":2.5,"learning_rate":1.0E-4,"images_per_second":40.0,"wall_seconds":3.0}
            {"iteration":16,"epoch":1,"loss":1.25,"learning_rate":2.0E-4,"images_per_second":42.0,"wall_seconds":6.0}
            """;

    @Test
    void readsEveryRoundOfARun(@TempDir Path run) throws Exception {
        assertThat(LossCurves.read(run.toString(), new Configuration())).isEmpty();
        Files.writeString(run.resolve("metrics.jsonl"), LINES);
        List<MetricsRecord> records = LossCurves.read(run.toString(), new Configuration());
        assertThat(records).containsExactly(new MetricsRecord(8, 0, 2.5, 1e-4, 40, 3),
                new MetricsRecord(16, 1, 1.25, 2e-4, 42, 6));
        assertThat(LossCurves.write(run.toString(), run.resolve("loss.png"), new Configuration())).isPresent();
        assertThat(Files.size(run.resolve("loss.png"))).isPositive();
    }

    @Test
    void aRewriteCutBeforeItsRenameLeavesTheTemporaryCopyToRead(@TempDir Path run) throws Exception {
        Files.writeString(run.resolve("_tmp-metrics.jsonl"), LINES);
        assertThat(LossCurves.read(run.toString(), new Configuration())).hasSize(2);
    }
}
