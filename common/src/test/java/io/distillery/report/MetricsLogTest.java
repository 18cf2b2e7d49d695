package io.distillery.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {

    @TempDir
    Path dir;

    private static MetricsRecord rec(long iteration, double loss) {
        return new MetricsRecord(iteration, (int) (iteration / 100), loss, 1e-3, 250.5, iteration * 0.5);
    }

    private static void appendRaw(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    @Test
    void recordsRoundTripIncludingNonFiniteValuesAndAreReadableBeforeClose() throws IOException {
        Path file = dir.resolve("runs/r1/metrics.jsonl");
        List<MetricsRecord> written = List.of(rec(0, 6.9), rec(10, Double.NaN),
                new MetricsRecord(20, 0, Double.POSITIVE_INFINITY, Double.NaN, Double.NEGATIVE_INFINITY, 12.25));
        try (MetricsLog log = MetricsLog.open(file)) {
            assertThat(log.existing().records()).isEmpty();
            for (MetricsRecord r : written) {
                log.append(r);
            }
            // Flushed line by line: another reader sees every record while the log is still open.
            assertThat(MetricsLog.read(file).records()).containsExactlyElementsOf(written);
        }
        MetricsHistory history = MetricsLog.read(file);
        assertThat(history.records()).containsExactlyElementsOf(written);
        assertThat(history.tornTail()).isFalse();
        assertThat(history.lastIteration()).hasValue(20);

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(4);
        JsonNode header = new ObjectMapper().readTree(lines.get(0));
        assertThat(header.get("format").asText()).isEqualTo("distillery-metrics");
        assertThat(header.get("format_version").asInt()).isEqualTo(1);
        assertThat(header.get("versions").has("distillery")).isTrue();
        assertThat(lines.get(1)).isEqualTo("{\"iteration\":0,\"epoch\":0,\"loss\":6.9,\"learning_rate\":0.001,"
                + "\"images_per_second\":250.5,\"wall_time_seconds\":0.0}");
        assertThat(lines.get(3)).isEqualTo("{\"iteration\":20,\"epoch\":0,\"loss\":\"Infinity\","
                + "\"learning_rate\":\"NaN\",\"images_per_second\":\"-Infinity\",\"wall_time_seconds\":12.25}");
    }

    @Test
    void aTornLastLineIsSkippedOnReadAndCutOffWhenTheRunResumes() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(file)) {
            log.append(rec(0, 3));
            log.append(rec(10, 2.5));
        }
        appendRaw(file, "{\"iteration\":20,\"epoch\":0,\"lo"); // the process died mid-write

        MetricsHistory crashed = MetricsLog.read(file);
        assertThat(crashed.records()).containsExactly(rec(0, 3), rec(10, 2.5));
        assertThat(crashed.tornTail()).isTrue();

        try (MetricsLog log = MetricsLog.open(file)) {
            assertThat(log.existing()).isEqualTo(crashed);
            log.append(rec(20, 2.25));
        }
        MetricsHistory resumed = MetricsLog.read(file);
        assertThat(resumed.records()).containsExactly(rec(0, 3), rec(10, 2.5), rec(20, 2.25));
        assertThat(resumed.tornTail()).isFalse();
        assertThat(Files.readString(file)).doesNotContain("\"lo\n").endsWith("}\n");
        assertThat(Files.readAllLines(file)).hasSize(4).filteredOn(l -> l.contains("\"format\"")).hasSize(1);
    }

    @Test
    void nulBytesLeftByAPowerLossCountAsATornTail() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(file)) {
            log.append(rec(0, 3));
        }
        Files.write(file, new byte[16], StandardOpenOption.APPEND);
        assertThat(MetricsLog.read(file).records()).containsExactly(rec(0, 3));
        try (MetricsLog log = MetricsLog.open(file)) {
            log.append(rec(10, 2));
        }
        assertThat(MetricsLog.read(file)).isEqualTo(new MetricsHistory(List.of(rec(0, 3), rec(10, 2)), false));
    }

    @Test
    void aCompleteLastRecordWithoutNewlineIsKeptAndTheNextOneGoesOnItsOwnLine() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        Files.writeString(file, "{\"format\":\"distillery-metrics\",\"format_version\":1}\n"
                + "{\"iteration\":5,\"epoch\":0,\"loss\":1.5,\"future_field\":[1,2]}");
        assertThat(MetricsLog.read(file).records())
                .containsExactly(new MetricsRecord(5, 0, 1.5, Double.NaN, Double.NaN, Double.NaN));
        try (MetricsLog log = MetricsLog.open(file)) {
            log.append(rec(6, 1.25));
        }
        assertThat(MetricsLog.read(file).records()).extracting(MetricsRecord::iteration).containsExactly(5L, 6L);
    }

    @Test
    void aTornHeaderIsReplacedAndAnEmptyFileIsAnEmptyLog() throws IOException {
        Path torn = dir.resolve("torn.jsonl");
        Files.writeString(torn, "{\"format\":\"distil");
        assertThat(MetricsLog.read(torn)).isEqualTo(new MetricsHistory(List.of(), true));
        try (MetricsLog log = MetricsLog.open(torn)) {
            log.append(rec(0, 1));
        }
        assertThat(MetricsLog.read(torn).records()).containsExactly(rec(0, 1));

        Path empty = Files.createFile(dir.resolve("empty.jsonl"));
        assertThat(MetricsLog.read(empty)).isEqualTo(new MetricsHistory(List.of(), false));
    }

    @Test
    void resumingAppendsAfterTheExistingRecordsWithOneHeader() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(file)) {
            log.append(rec(0, 3));
        }
        try (MetricsLog log = MetricsLog.open(file)) {
            assertThat(log.existing().lastIteration()).hasValue(0);
            log.append(rec(10, 2));
            log.sync();
        }
        assertThat(MetricsLog.read(file).records()).containsExactly(rec(0, 3), rec(10, 2));
        assertThat(Files.readAllLines(file)).hasSize(3);
    }

    @Test
    void effectiveHistoryLetsAResumedRunReplaceTheIterationsItRepeated() {
        // Checkpoint at 20; the first run logged up to 40 before crashing, the resumed run restarts at 30.
        MetricsHistory h = new MetricsHistory(List.of(rec(10, 5), rec(20, 4), rec(30, 3.5), rec(40, 3.4),
                rec(30, 3.6), rec(40, 3.3), rec(50, 3.1)), false);
        assertThat(h.effective()).containsExactly(rec(10, 5), rec(20, 4), rec(30, 3.6), rec(40, 3.3), rec(50, 3.1));
        assertThat(h.records()).hasSize(7);
    }

    @Test
    void aSecondWriterIsRefused() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(file)) {
            assertThatThrownBy(() -> MetricsLog.open(file))
                    .isInstanceOf(IOException.class)
                    .hasMessage("metrics log " + file + " is already open for writing by another run");
            log.append(rec(0, 1));
        }
        try (MetricsLog again = MetricsLog.open(file)) {
            assertThat(again.existing().records()).hasSize(1);
        }
    }

    @Test
    void malformedLinesOtherFormatsAndNewerVersionsAreClearErrors() throws IOException {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"format\":\"distillery-metrics\",\"format_version\":1}\n"
                + "{\"iteration\":0,\"epoch\":0,\"loss\":1}\n" + "garbage\n"
                + "{\"iteration\":1,\"epoch\":0,\"loss\":1}\n");
        assertThatThrownBy(() -> MetricsLog.read(bad)).isInstanceOf(ReportFormatException.class)
                .hasMessageStartingWith(bad + ":3: not a JSON object: ");
        assertThatThrownBy(() -> MetricsLog.open(bad)).isInstanceOf(ReportFormatException.class);

        Path other = dir.resolve("other.jsonl");
        Files.writeString(other, "{\"format\":\"something-else\"}\n");
        assertThatThrownBy(() -> MetricsLog.read(other)).hasMessage(other + ": not a Distillery metrics log "
                + "(first line has format 'something-else', expected 'distillery-metrics')");

        Path newer = dir.resolve("newer.jsonl");
        Files.writeString(newer, "{\"format\":\"distillery-metrics\",\"format_version\":2}\n");
        assertThatThrownBy(() -> MetricsLog.read(newer)).hasMessage(newer
                + ": found metrics log version 2, this build reads up to 1; upgrade Distillery to read it");

        Path noLoss = dir.resolve("noloss.jsonl");
        Files.writeString(noLoss, "{\"format\":\"distillery-metrics\",\"format_version\":1}\n"
                + "{\"iteration\":0,\"epoch\":0}\n");
        assertThatThrownBy(() -> MetricsLog.read(noLoss)).hasMessage(noLoss + ":2: metrics record has no 'loss'");

        Path textLoss = dir.resolve("textloss.jsonl");
        Files.writeString(textLoss, "{\"format\":\"distillery-metrics\",\"format_version\":1}\n"
                + "{\"iteration\":0,\"epoch\":0,\"loss\":\"high\"}\n");
        assertThatThrownBy(() -> MetricsLog.read(textLoss))
                .hasMessage(textLoss + ":2: 'loss' must be a number but was \"high\"");

        assertThatThrownBy(() -> new MetricsRecord(-1, 0, 1, 1, 1, 1))
                .hasMessage("metrics iteration must be >= 0 but was -1");
    }
}
