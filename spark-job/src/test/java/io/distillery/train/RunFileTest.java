package io.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.config.JobConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run.json through a run's life: started, finished or failed, resumed with changed settings. */
class RunFileTest {
    private static final RunRecord.Data DATA = new RunRecord.Data(
            "file:/data/features",
            "features",
            "complete",
            32L,
            "ab12",
            new RunRecord.Checkpoint("file:/teacher/model.safetensors", "cd34"),
            new RunRecord.Recipe("ffn", "patches", 2, 1e-5));

    private static TrainSettings settings(String... overrides) {
        List<String> o = new java.util.ArrayList<>(
                List.of("dataset=/data/features", "run-dir=/runs/r", "student.model=data2vec2_base_patch16_224"));
        o.addAll(List.of(overrides));
        return TrainSettings.from(JobConfigLoader.load(null, o, "distillery.train"), "distillery.train");
    }

    private static RunRecord session(TrainSettings s, int iteration, RunRecord.Checkpoint init) {
        return RunRecord.session("train", s, DATA, init, iteration, "3.5.1");
    }

    private static FileSystem fs() throws IOException {
        return FileSystem.getLocal(new Configuration());
    }

    private static org.apache.hadoop.fs.Path hadoop(Path dir) {
        return new org.apache.hadoop.fs.Path(dir.toUri());
    }

    private static JsonNode json(Path runDir) throws IOException {
        return new ObjectMapper().readTree(runDir.resolve("run.json").toFile());
    }

    @Test
    void aFreshRunRecordsItsSettingsDataAndVersionsThenItsEnd(@TempDir Path dir) throws Exception {
        TrainSettings s = settings("iterations=40", "seed=7");
        RunFile run = RunFile.begin(
                fs(), hadoop(dir), session(s, 0, new RunRecord.Checkpoint("file:/init.safetensors", "ef56")), false);
        JsonNode started = json(dir);
        assertThat(started.get("format").asText()).isEqualTo("distillery-run");
        assertThat(started.get("status").asText()).isEqualTo("running");
        assertThat(started.get("ended").isNull()).isTrue();
        assertThat(started.get("seed").asLong()).isEqualTo(7);
        // every resolved key, including the defaults nobody set, under the section's path
        assertThat(started.at("/config/distillery/train/iterations").asInt()).isEqualTo(40);
        assertThat(started.at("/config/distillery/train/optimizer/lr").isNumber())
                .isTrue();
        assertThat(started.at("/config/distillery/train/parameter-averaging/approach")
                        .asText())
                .isEqualTo("auto");
        assertThat(started.at("/data/teacher/sha256").asText()).isEqualTo("cd34");
        assertThat(started.at("/data/target/top_k").asInt()).isEqualTo(2);
        assertThat(started.at("/init_checkpoint/sha256").asText()).isEqualTo("ef56");
        assertThat(started.at("/versions/spark_runtime").asText()).isEqualTo("3.5.1");
        assertThat(started.at("/versions/java").asText()).isEqualTo(System.getProperty("java.version"));
        assertThat(started.get("resumes")).isEmpty();

        assertThat(run.finish(40, () -> "exported")).isEqualTo("exported");
        JsonNode ended = json(dir);
        assertThat(ended.get("status").asText()).isEqualTo("complete");
        assertThat(ended.get("iteration").asInt()).isEqualTo(40);
        assertThat(ended.get("started").asText())
                .isEqualTo(started.get("started").asText());
        assertThat(java.time.Instant.parse(ended.get("ended").asText()))
                .isAfterOrEqualTo(java.time.Instant.parse(ended.get("started").asText()));
        assertThat(RunFile.read(fs(), hadoop(dir.resolve("run.json")))).contains(run.record());
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.contains("_tmp"));
        }
    }

    @Test
    void aResumeKeepsTheOriginalStartAndInitAndListsWhatChanged(@TempDir Path dir) throws Exception {
        RunFile first = RunFile.begin(
                fs(),
                hadoop(dir),
                session(settings("iterations=8"), 0, new RunRecord.Checkpoint("file:/init.safetensors", "ef56")),
                false);
        first.finish(8, () -> null);
        RunRecord original = first.record();

        // a resumed session knows nothing of the init checkpoint: it was not loaded again
        RunFile resumed = RunFile.begin(
                fs(), hadoop(dir), session(settings("iterations=12", "optimizer.lr=1e-3"), 8, null), true);
        JsonNode json = json(dir);
        assertThat(json.get("status").asText()).isEqualTo("running");
        assertThat(json.get("ended").isNull()).isTrue();
        assertThat(json.get("started").asText()).isEqualTo(original.started());
        assertThat(json.at("/init_checkpoint/sha256").asText()).isEqualTo("ef56");
        assertThat(json.at("/config/distillery/train/iterations").asInt()).isEqualTo(12);
        JsonNode resume = json.get("resumes").get(0);
        assertThat(resume.get("from_iteration").asInt()).isEqualTo(8);
        assertThat(resume.get("at").asText()).isNotBlank();
        assertThat(resume.get("changed_settings").properties())
                .extracting(java.util.Map.Entry::getKey)
                .containsExactlyInAnyOrder("distillery.train.iterations", "distillery.train.optimizer.lr");
        assertThat(resume.at("/changed_settings/distillery.train.iterations/before")
                        .asInt())
                .isEqualTo(8);
        assertThat(resume.at("/changed_settings/distillery.train.iterations/after")
                        .asInt())
                .isEqualTo(12);

        resumed.finish(12, () -> null);
        RunFile.begin(fs(), hadoop(dir), session(settings("iterations=12", "optimizer.lr=1e-3"), 12, null), true);
        assertThat(json(dir).get("resumes")).hasSize(2);
        assertThat(json(dir).get("resumes").get(1).get("changed_settings")).isEmpty();
    }

    @Test
    void aFailingLastStepMarksTheRunFailedAndIsRethrown(@TempDir Path dir) throws Exception {
        RunFile run = RunFile.begin(fs(), hadoop(dir), session(settings(), 0, null), false);
        assertThatThrownBy(() -> run.finish(16, () -> {
                    throw new UncheckedIOException(new IOException("disk full\nsecond line"));
                }))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("disk full");
        JsonNode json = json(dir);
        assertThat(json.get("status").asText()).isEqualTo("failed");
        assertThat(json.get("failure").asText()).isEqualTo("UncheckedIOException: java.io.IOException: disk full");
        assertThat(json.get("iteration").asInt()).isEqualTo(16);
        assertThat(json.get("init_checkpoint").isNull()).isTrue();
    }

    @Test
    void aRunDirFromBeforeRunJsonGetsARecordWhoseStartIsUnknown(@TempDir Path dir) throws Exception {
        RunFile.begin(fs(), hadoop(dir), session(settings(), 4, null), true);
        JsonNode json = json(dir);
        assertThat(json.get("started").isNull()).isTrue();
        assertThat(json.get("resumes")).hasSize(1);
        assertThat(json.get("resumes").get(0).get("from_iteration").asInt()).isEqualTo(4);
    }

    @Test
    void aRewriteCutBeforeItsRenameLeavesTheTemporaryCopyToRead(@TempDir Path dir) throws Exception {
        RunFile run = RunFile.begin(fs(), hadoop(dir), session(settings(), 0, null), false);
        Files.move(dir.resolve("run.json"), dir.resolve("_tmp-run.json"));
        assertThat(RunFile.read(fs(), hadoop(dir.resolve("run.json")))).contains(run.record());
    }

    @Test
    void anUnreadableOrNewerRecordIsRefusedNamingTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("run.json");
        Files.writeString(file, "{\"format\":\"distillery-run\",\"format_version\":2}");
        assertThatThrownBy(() -> RunFile.begin(fs(), hadoop(dir), session(settings(), 4, null), true))
                .isInstanceOf(IOException.class)
                .hasMessage(hadoop(file) + ": found run record version 2, this build reads 1 to 1");
        Files.writeString(file, "{\"format\":\"other\"}");
        assertThatThrownBy(() -> RunFile.read(fs(), hadoop(file)))
                .hasMessage(hadoop(file) + ": not a Distillery run record (format is 'other', expected "
                        + "'distillery-run')");
        Files.writeString(file, "{\"format\":");
        assertThatThrownBy(() -> RunFile.read(fs(), hadoop(file)))
                .hasMessageStartingWith(hadoop(file) + ": not valid JSON: ");
    }

    @Test
    void changesListAddedRemovedAndChangedLeavesWithListsAsOneValue() throws Exception {
        ObjectMapper m = new ObjectMapper();
        var changes = RunFile.changes(
                m.readTree("{\"a\":{\"b\":1,\"c\":[1,2],\"gone\":true}}"),
                m.readTree("{\"a\":{\"b\":1,\"c\":[1,3],\"new\":\"x\"}}"));
        assertThat(changes).containsOnlyKeys("a.c", "a.new", "a.gone");
        assertThat(changes.get("a.new").before()).isNull();
        assertThat(changes.get("a.gone").after()).isNull();
        assertThat(changes.get("a.c").after()).isEqualTo(m.readTree("[1,3]"));
    }
}
