package io.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** metrics.jsonl is rewritten at a bounded rate, and a flush writes every pending round. */
class MetricsFileTest {
    private static MetricsRecord round(int iteration) {
        return new MetricsRecord(iteration, 0, 1.0 / iteration, 1e-3, 100, iteration);
    }

    @Test
    void roundsWaitForTheIntervalOrAFlush(@TempDir Path dir) throws Exception {
        FileSystem fs = FileSystem.getLocal(new Configuration());
        Path file = dir.resolve("metrics.jsonl");
        MetricsFile metrics = new MetricsFile(fs, new org.apache.hadoop.fs.Path(file.toUri()), Duration.ofHours(1));
        metrics.append(round(1));
        assertThat(Files.readAllLines(file)).as("the first round is written at once").hasSize(1);
        metrics.append(round(2));
        metrics.append(round(3));
        assertThat(Files.readAllLines(file)).as("later rounds wait for the interval").hasSize(1);
        metrics.flush();
        assertThat(Files.readAllLines(file)).hasSize(3).last().asString().contains("\"iteration\":3");

        MetricsFile resumed = new MetricsFile(fs, new org.apache.hadoop.fs.Path(file.toUri()), Duration.ofHours(1));
        resumed.load(r -> r.iteration() <= 2);
        assertThat(resumed.records()).extracting(MetricsRecord::iteration).containsExactly(1, 2);
    }
}
