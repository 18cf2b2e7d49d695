package io.distillery.train;

import static io.distillery.train.TrainFixtures.SPARK;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.checkpoint.SafetensorsFile;
import io.distillery.config.JobConfigLoader;
import io.distillery.extract.TestInputs;
import io.distillery.model.EncoderLoader;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelConfigs;
import io.distillery.npy.ParityFiles;
import io.distillery.provenance.Sha256;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * finetune on labelled image shards, from pretrained weights: an easy 2-class problem is learned, the exported head
 * predicts it, and run.json and the export say how it was made.
 */
class FinetuneJobTest {
    private static final Path WEIGHTS = ParityFiles.root().resolve("teacher_beitv2/weights.safetensors");

    @Test
    void learnsAnEasyTaskAndExportsATimmCheckpointWithItsHeadAndItsProvenance(@TempDir Path dir) throws Exception {
        Path train = Files.createDirectories(dir.resolve("train"));
        TestInputs.twoClassShard(train.resolve("t-000.tar"), 24, 1, 32);
        Path test = Files.createDirectories(dir.resolve("test"));
        TestInputs.twoClassShard(test.resolve("e-000.tar"), 16, 2, 32);
        Path run = dir.resolve("run");
        List<String> o = new ArrayList<>(List.of(
                "images.path=\"" + train + "\"",
                "eval-images.path=\"" + test + "\"",
                "num-classes=2",
                "run-dir=\"" + run + "\"",
                "student.model=\"" + ParityFiles.root().resolve("teacher_beitv2/config.json") + "\"",
                "student.depth=1",
                "student.init-checkpoint=\"" + WEIGHTS + "\"",
                "optimizer.lr=2e-3",
                "optimizer.warmup-iterations=2",
                "iterations=12",
                "parameter-averaging.batch-size-per-worker=8",
                "parameter-averaging.averaging-frequency=2",
                "parameter-averaging.workers=2",
                "checkpoint.every=100"));
        FinetuneSettings settings = FinetuneSettings.from(JobConfigLoader.load(null, o, FinetuneSettings.SECTION));
        FinetuneJob.Summary summary = FinetuneJob.run(SPARK, settings, false);

        assertThat(summary.iteration()).isEqualTo(12);
        assertThat(summary.evaluatedRows()).isEqualTo(16);
        assertThat(summary.accuracy()).as(summary.toString()).isGreaterThanOrEqualTo(0.9);
        assertThat(summary.finalLoss())
                .as("cross-entropy below chance level, ln 2")
                .isLessThan(Math.log(2));
        ModelConfig config = ModelConfigs.fromJson(run.resolve("model/config.json"));
        assertThat(config.numClasses()).isEqualTo(2);
        assertThat(EncoderLoader.load(config, run.resolve("model/model.safetensors"))
                        .head()
                        .classifierWeight()
                        .shape())
                .containsExactly(2, 64);
        assertThat(Files.readAllLines(run.resolve("metrics.jsonl"))).hasSize(6);

        JsonNode record = new ObjectMapper().readTree(run.resolve("run.json").toFile());
        assertThat(record.get("job").asText()).isEqualTo("finetune");
        assertThat(record.get("status").asText()).isEqualTo("complete");
        assertThat(record.at("/data/kind").asText()).isEqualTo("images");
        assertThat(record.at("/data/path").asText()).isEqualTo("file:" + train);
        assertThat(record.at("/data/teacher").isNull()).isTrue();
        assertThat(record.at("/config/distillery/finetune/num-classes").asInt()).isEqualTo(2);
        assertThat(record.at("/init_checkpoint/path").asText()).isEqualTo("file:" + WEIGHTS);
        assertThat(record.at("/init_checkpoint/sha256").asText()).isEqualTo(Sha256.of(WEIGHTS));
        try (SafetensorsFile weights = SafetensorsFile.open(run.resolve("model/model.safetensors"))) {
            assertThat(weights.metadata())
                    .containsEntry("distillery.job", "finetune")
                    .containsEntry("distillery.finetuned", "true")
                    .containsEntry("distillery.dataset", "file:" + train)
                    .containsEntry("distillery.iterations", "12")
                    .containsEntry("distillery.seed", "0")
                    .containsEntry("distillery.init-checkpoint-sha256", Sha256.of(WEIGHTS))
                    .doesNotContainKey("distillery.teacher.checkpoint-sha256");
        }
    }

    @Test
    void lossesInheritedFromTrainAreRefusedNotIgnored(@TempDir Path dir) {
        List<String> o = List.of(
                "images.path=\"" + dir + "\"",
                "run-dir=\"" + dir.resolve("run") + "\"",
                "losses=[{type=kd, weight=1}]");
        FinetuneSettings settings = FinetuneSettings.from(JobConfigLoader.load(null, o, FinetuneSettings.SECTION));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FinetuneJob.run(SPARK, settings, false))
                .hasMessage("distillery.finetune.losses does not apply: finetune trains its classifier with"
                        + " cross-entropy");
        assertThat(Files.exists(dir.resolve("run"))).isFalse();
    }

    @Test
    void aMaskInheritedFromTrainIsRefusedNotIgnored(@TempDir Path dir) {
        List<String> o = List.of(
                "images.path=\"" + dir + "\"", "run-dir=\"" + dir.resolve("run") + "\"", "student.mask.enabled=true");
        FinetuneSettings settings = FinetuneSettings.from(JobConfigLoader.load(null, o, FinetuneSettings.SECTION));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FinetuneJob.run(SPARK, settings, false))
                .hasMessage("distillery.finetune.student.mask.enabled does not apply: finetune trains on whole images");
        assertThat(Files.exists(dir.resolve("run"))).isFalse();
    }
}
