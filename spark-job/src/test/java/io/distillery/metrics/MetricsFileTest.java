package io.distillery.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.report.MetricsRecord;
import io.distillery.report.ReportFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** metrics.jsonl: its line format, a bounded rewrite rate, a flush that writes every pending round, clear errors. */
class MetricsFileTest {
    private static MetricsRecord round(int iteration) {
        return new MetricsRecord(iteration, 0, 1.0 / iteration, 1e-3, 100, iteration);
    }

    private static FileSystem local() throws Exception {
        return FileSystem.getLocal(new Configuration());
    }

    private static org.apache.hadoop.fs.Path hadoop(Path file) {
        return new org.apache.hadoop.fs.Path(file.toUri());
    }

    @Test
    void roundsWaitForTheIntervalOrAFlush(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("metrics.jsonl");
        MetricsFile metrics = new MetricsFile(local(), hadoop(file), Duration.ofHours(1));
        metrics.append(round(1));
        assertThat(Files.readAllLines(file))
                .as("the first round is written at once")
                .hasSize(1);
        metrics.append(round(2));
        metrics.append(round(3));
        assertThat(Files.readAllLines(file))
                .as("later rounds wait for the interval")
                .hasSize(1);
        metrics.flush();
        assertThat(Files.readAllLines(file)).hasSize(3).last().asString().contains("\"iteration\":3");

        MetricsFile resumed = new MetricsFile(local(), hadoop(file), Duration.ofHours(1));
        resumed.load(r -> r.iteration() <= 2);
        assertThat(resumed.records()).extracting(MetricsRecord::iteration).containsExactly(1, 2);
    }

    @Test
    void linesKeepTheirFormatAndNonFiniteValuesRoundTripAsStrings(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("metrics.jsonl");
        List<MetricsRecord> written = List.of(
                new MetricsRecord(2, 0, 6.9, 1e-3, 250.5, 0.5),
                new MetricsRecord(4, 1, Double.POSITIVE_INFINITY, Double.NaN, Double.NEGATIVE_INFINITY, 12.25));
        MetricsFile metrics = new MetricsFile(local(), hadoop(file));
        for (MetricsRecord r : written) {
            metrics.append(r);
        }
        metrics.flush();
        // the on-disk format readers (evaluate's loss-run, scripts) rely on
        assertThat(Files.readAllLines(file))
                .containsExactly(
                        "{\"iteration\":2,\"epoch\":0,\"loss\":6.9,\"learning_rate\":0.001,\"images_per_second\":250.5,"
                                + "\"wall_seconds\":0.5}",
                        "{\"iteration\":4,\"epoch\":1,\"loss\":\"Infinity\",\"learning_rate\":\"NaN\","
                                + "\"images_per_second\":\"-Infinity\",\"wall_seconds\":12.25}");
        assertThat(MetricsFile.read(local(), hadoop(file))).containsExactlyElementsOf(written);
    }

    @Test
    void aMaskedRunsRowsPerSecondIsWrittenLastAndReadBack(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("metrics.jsonl");
        MetricsRecord masked = new MetricsRecord(2, 0, 0.5, 1e-3, 32, 1, 2.0);
        MetricsFile metrics = new MetricsFile(local(), hadoop(file));
        metrics.append(masked);
        metrics.flush();
        assertThat(Files.readAllLines(file))
                .containsExactly("{\"iteration\":2,\"epoch\":0,\"loss\":0.5,\"learning_rate\":0.001,"
                        + "\"images_per_second\":32.0,\"wall_seconds\":1.0,\"rows_per_second\":2.0}");
        assertThat(MetricsFile.read(local(), hadoop(file))).containsExactly(masked);
    }

    @Test
    void fieldsALaterBuildAddsAreIgnored(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("metrics.jsonl");
        Files.writeString(
                file,
                "{\"iteration\":5,\"epoch\":0,\"loss\":1.5,\"learning_rate\":0.1,"
                        + "\"images_per_second\":3,\"wall_seconds\":4,\"future_field\":[1,2]}\n\n");
        assertThat(MetricsFile.read(local(), hadoop(file))).containsExactly(new MetricsRecord(5, 0, 1.5, 0.1, 3, 4));
    }

    @Test
    void aMalformedLineIsAnErrorNamingFileAndLine(@TempDir Path dir) throws Exception {
        String good = "{\"iteration\":0,\"epoch\":0,\"loss\":1,\"learning_rate\":0.1,\"images_per_second\":3,"
                + "\"wall_seconds\":4}\n";
        Path garbage = dir.resolve("garbage.jsonl");
        Files.writeString(garbage, good + "garbage\n");
        assertThatThrownBy(() -> MetricsFile.read(local(), hadoop(garbage)))
                .isInstanceOf(ReportFormatException.class)
                .hasMessageStartingWith(hadoop(garbage) + ":2: not a metrics record: Unrecognized token 'garbage'");

        Path noLoss = dir.resolve("noloss.jsonl");
        Files.writeString(noLoss, good.replace("\"loss\":1,", ""));
        assertThatThrownBy(() -> MetricsFile.read(local(), hadoop(noLoss)))
                .hasMessageStartingWith(
                        hadoop(noLoss) + ":1: not a metrics record: Missing required creator property 'loss'");

        Path textLoss = dir.resolve("textloss.jsonl");
        Files.writeString(textLoss, good.replace("\"loss\":1", "\"loss\":\"high\""));
        assertThatThrownBy(() -> MetricsFile.read(local(), hadoop(textLoss)))
                .hasMessageStartingWith(hadoop(textLoss) + ":1: not a metrics record: ")
                .hasMessageContaining("\"high\"");

        Path negative = dir.resolve("negative.jsonl");
        Files.writeString(negative, good.replace("\"iteration\":0", "\"iteration\":-1"));
        assertThatThrownBy(() -> MetricsFile.read(local(), hadoop(negative)))
                .hasMessage(hadoop(negative) + ":1: not a metrics record: metrics iteration must be >= 0 but was -1");
    }
}
