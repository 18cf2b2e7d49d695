package io.distillery.train;

import static io.distillery.train.TrainFixtures.SPARK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.model.Encoder;
import io.distillery.model.EncoderLoader;
import io.distillery.model.ModelConfigs;
import io.distillery.npy.ParityFiles;
import io.distillery.report.MetricsRecord;
import io.distillery.student.StudentWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The train job on Spark local mode against a real (small) feature dataset. */
class TrainJobTest {
    @TempDir
    static Path shared;

    private static Path dataset;

    @BeforeAll
    static void extractOnce() throws Exception {
        dataset = TrainFixtures.extract(shared);
    }

    private static List<MetricsRecord> metrics(Path runDir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<MetricsRecord> out = new ArrayList<>();
        for (String line : Files.readAllLines(runDir.resolve("metrics.jsonl"))) {
            out.add(json.readValue(line, MetricsRecord.class));
        }
        return out;
    }

    private static List<String> checkpoints(Path runDir) throws Exception {
        try (Stream<Path> s = Files.list(runDir.resolve("checkpoints"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void lossDecreasesAndTheExportedStudentRoundTrips(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        TrainSummary summary =
                TrainJob.run(SPARK, TrainFixtures.settings(TrainFixtures.overrides(dataset, run)), false);

        assertThat(summary.iteration()).isEqualTo(16);
        List<MetricsRecord> m = metrics(run);
        assertThat(m).hasSize(8); // averaging frequency 2: +2 iterations per round
        for (int i = 0; i < m.size(); i++) {
            assertThat(m.get(i).iteration()).isEqualTo(2 * (i + 1));
            assertThat(m.get(i).imagesPerSecond()).isPositive();
        }
        assertThat(m.get(0).learningRate()).isEqualTo(2e-3); // end of warm-up
        assertThat(m.get(7).learningRate()).isEqualTo(1e-4); // end of the cosine
        double first = (m.get(0).loss() + m.get(1).loss()) / 2;
        double last = (m.get(6).loss() + m.get(7).loss()) / 2;
        assertThat(last).as("loss of the last two rounds vs the first two").isLessThan(0.7 * first);
        assertThat(checkpoints(run)).containsExactly("iter-00000012", "iter-00000016");

        // export round trip: the safetensors student equals the DL4J model's encoder
        Path studentDir = run.resolve("student");
        var config = ModelConfigs.fromJson(studentDir.resolve("config.json"));
        assertThat(config.depth()).isEqualTo(2);
        Encoder exported = EncoderLoader.load(config, studentDir.resolve("student.safetensors"));
        ComputationGraph model = ModelSerializer.restoreComputationGraph(
                studentDir.resolve("model.zip").toFile(), true);
        assertThat(model.getConfiguration().getIterationCount()).isEqualTo(16);
        Encoder fromModel = StudentWeights.toEncoder(model, config);
        INDArray input = ParityFiles.array("input");
        assertThat(exported.forward(input).blockOutputs().get(1))
                .isEqualTo(fromModel.forward(input).blockOutputs().get(1));
        assertThat(Files.exists(studentDir.resolve("projection.safetensors"))).isFalse();
        assertThat(Files.exists(run.resolve("_tmp/export"))).isFalse();

        // run.json: how the student was made
        JsonNode record = new ObjectMapper().readTree(run.resolve("run.json").toFile());
        JsonNode features = new ObjectMapper()
                .readTree(dataset.resolve("_distillery/dataset.json").toFile());
        String teacherSha = features.at("/metadata/teacher/checkpoint_sha256").asText();
        assertThat(teacherSha).hasSize(64);
        assertThat(record.get("job").asText()).isEqualTo("train");
        assertThat(record.get("status").asText()).isEqualTo("complete");
        assertThat(record.get("iteration").asInt()).isEqualTo(16);
        assertThat(record.at("/config/distillery/train/iterations").asInt()).isEqualTo(16);
        assertThat(record.at("/config/distillery/train/student/depth").asInt()).isEqualTo(2);
        assertThat(record.at("/data/path").asText()).isEqualTo("file:" + dataset.toAbsolutePath());
        assertThat(record.at("/data/status").asText()).isEqualTo("complete");
        assertThat(record.at("/data/teacher/sha256").asText()).isEqualTo(teacherSha);
        assertThat(record.at("/data/target/tensor").asText()).isEqualTo("ffn");
        assertThat(record.at("/data/metadata_sha256").asText()).hasSize(64);
        assertThat(record.get("init_checkpoint").isNull()).isTrue();
        assertThat(record.at("/versions/dl4j").asText()).isNotBlank();

        // the exported file tells the same on its own
        try (var weights = io.distillery.checkpoint.SafetensorsFile.open(studentDir.resolve("student.safetensors"))) {
            assertThat(weights.metadata())
                    .containsEntry("distillery.job", "train")
                    .containsEntry("distillery.teacher.checkpoint-sha256", teacherSha)
                    .containsEntry("distillery.target.tensor", "ffn")
                    .containsEntry("distillery.target.tokens", "patches")
                    .containsEntry(
                            "distillery.target.top-k",
                            features.at("/metadata/target/top_k").asText())
                    .containsEntry("distillery.student.top-k", "2")
                    .containsEntry("distillery.seed", "0")
                    .containsEntry("distillery.iterations", "16")
                    .containsEntry("distillery.dataset", record.at("/data/path").asText())
                    .containsEntry(
                            "distillery.dataset.metadata-sha256",
                            record.at("/data/metadata_sha256").asText())
                    .containsKey("distillery.version.distillery");
        }
    }

    @Test
    void resumeContinuesFromTheNewestCheckpointToTheBudget(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        TrainJob.run(SPARK, TrainFixtures.settings(TrainFixtures.overrides(dataset, run, "iterations=8")), false);
        assertThat(checkpoints(run)).containsExactly("iter-00000004", "iter-00000008");

        assertThatThrownBy(() -> TrainJob.run(
                        SPARK, TrainFixtures.settings(TrainFixtures.overrides(dataset, run, "iterations=12")), false))
                .hasMessageContaining("already holds checkpoints (newest: iteration 8)")
                .hasMessageContaining("--resume");

        TrainSummary resumed = TrainJob.run(
                SPARK, TrainFixtures.settings(TrainFixtures.overrides(dataset, run, "iterations=12")), true);
        assertThat(resumed.resumedFromIteration()).isEqualTo(8);
        assertThat(resumed.iteration()).isEqualTo(12);
        List<MetricsRecord> m = metrics(run);
        assertThat(m).extracting(MetricsRecord::iteration).containsExactly(2, 4, 6, 8, 10, 12);
        assertThat(m.get(4).wallSeconds()).isGreaterThan(m.get(3).wallSeconds());
        assertThat(checkpoints(run)).containsExactly("iter-00000008", "iter-00000012");
        // the extended budget reached the updaters: the schedule ends at the new budget
        ComputationGraph model = ModelSerializer.restoreComputationGraph(
                run.resolve("student/model.zip").toFile(), true);
        var adam = (org.nd4j.linalg.learning.config.Adam)
                model.getLayer("blocks.0").conf().getLayer().getUpdaterByParam("norm2W");
        assertThat(adam.getLearningRateSchedule())
                .isEqualTo(new io.distillery.student.WarmupCosineSchedule(2e-3, 1e-4, 2, 12));
        JsonNode record = new ObjectMapper().readTree(run.resolve("run.json").toFile());
        assertThat(record.get("status").asText()).isEqualTo("complete");
        assertThat(record.get("iteration").asInt()).isEqualTo(12);
        assertThat(record.get("resumes")).hasSize(1);
        assertThat(record.at("/resumes/0/from_iteration").asInt()).isEqualTo(8);
        assertThat(record.at("/resumes/0/changed_settings/distillery.train.iterations/before")
                        .asInt())
                .isEqualTo(8);
        assertThat(record.at("/resumes/0/changed_settings/distillery.train.iterations/after")
                        .asInt())
                .isEqualTo(12);
        assertThat(record.get("started").asText())
                .isLessThanOrEqualTo(record.at("/resumes/0/at").asText());
        try (var weights = io.distillery.checkpoint.SafetensorsFile.open(run.resolve("student/student.safetensors"))) {
            assertThat(weights.metadata()).containsEntry("distillery.iterations", "12");
        }
    }

    @Test
    void aDatasetThatDoesNotFitTheStudentIsRefusedNamingBothValues(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        assertThatThrownBy(() -> TrainJob.run(
                        SPARK,
                        TrainFixtures.settings(TrainFixtures.overrides(dataset, run, "target.tokens=all")),
                        false))
                .hasMessageContaining("target tokens is patches but target.tokens is all");
        Path wide = dir.resolve("student64.json");
        String json = Files.readString(ParityFiles.file("student_d2v2/config.json"))
                .replace("\"img_size\": 32", "\"img_size\": 64");
        Files.writeString(wide, json);
        assertThatThrownBy(() -> TrainJob.run(
                        SPARK,
                        TrainFixtures.settings(TrainFixtures.overrides(dataset, run, "student.model=\"" + wide + "\"")),
                        false))
                .hasMessageContaining("target shape is [16, 64] but student tokens (img 64 / patch 8, patches) is 64");
        Files.writeString(wide, json.replace("\"patch_size\": 8", "\"patch_size\": 16"));
        assertThatThrownBy(() -> TrainJob.run(
                        SPARK,
                        TrainFixtures.settings(TrainFixtures.overrides(dataset, run, "student.model=\"" + wide + "\"")),
                        false))
                .hasMessageContaining("image size is 32 but student img_size is 64");
        assertThat(Files.exists(run)).as("nothing written for a refused job").isFalse();
    }

    @Test
    void aNarrowerStudentLearnsThroughAProjectionThatIsExported(@TempDir Path dir) throws Exception {
        Path narrow = dir.resolve("student32.json");
        Files.writeString(
                narrow,
                Files.readString(ParityFiles.file("student_d2v2/config.json"))
                        .replace("\"embed_dim\": 64", "\"embed_dim\": 32"));
        Path run = dir.resolve("run");
        TrainSummary summary = TrainJob.run(
                SPARK,
                TrainFixtures.settings(
                        TrainFixtures.overrides(dataset, run, "student.model=\"" + narrow + "\"", "iterations=4")),
                false);
        assertThat(summary.iteration()).isEqualTo(4);
        try (var file = io.distillery.checkpoint.SafetensorsFile.open(run.resolve("student/projection.safetensors"))) {
            assertThat(file.names()).containsExactly("distill_proj.bias", "distill_proj.weight");
            assertThat(file.readArray("distill_proj.weight").shape()).containsExactly(64, 32);
        }
        var config = ModelConfigs.fromJson(run.resolve("student/config.json"));
        assertThat(config.embedDim()).isEqualTo(32);
        assertThat(EncoderLoader.load(config, run.resolve("student/student.safetensors"))
                        .config()
                        .depth())
                .isEqualTo(2);
    }

    @Test
    void nanTargetsStopTheJobNamingTheDatasetWithoutSavingAnything(@TempDir Path dir) throws Exception {
        Path broken = dir.resolve("nan-features");
        byte[] nan = io.distillery.features.TensorPacking.pack(
                filled(16 * 64, Float.NaN), 0, 16 * 64, io.distillery.features.TensorDType.FP16);
        SPARK.read()
                .parquet(dataset.resolve("data").toString())
                .withColumn("target", org.apache.spark.sql.functions.lit(nan))
                .write()
                .parquet(broken.resolve("data").toString());
        Files.createDirectories(broken.resolve("_distillery"));
        Files.copy(dataset.resolve("_distillery/dataset.json"), broken.resolve("_distillery/dataset.json"));
        Path run = dir.resolve("run");
        assertThatThrownBy(() -> TrainJob.run(
                        SPARK, TrainFixtures.settings(TrainFixtures.overrides(broken, run, "iterations=8")), false))
                .hasRootCauseInstanceOf(io.distillery.features.FeatureFormatException.class)
                .rootCause()
                .hasMessageContaining(": column 'target' holds NaN at element 0; the feature dataset "
                        + "itself holds non-finite targets (extract it again with a sound teacher)");
        assertThat(Files.exists(run.resolve("student"))).isFalse();
        assertThat(Files.exists(run.resolve("checkpoints"))
                        && Files.list(run.resolve("checkpoints")).findAny().isPresent())
                .isFalse();
        JsonNode record = new ObjectMapper().readTree(run.resolve("run.json").toFile());
        assertThat(record.get("status").asText()).isEqualTo("failed");
        assertThat(record.get("failure").asText()).isNotBlank();
        assertThat(record.get("ended").asText()).isNotBlank();
    }

    @Test
    void aKilledRunsExportedBatchesAreRemovedAndNoneAreLeftBehind(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        Path leftover = Files.createDirectories(run.resolve("_tmp/export/0_12345"));
        Files.write(leftover.resolve("dataset_0.bin"), new byte[5_000]);
        TrainJob.run(SPARK, TrainFixtures.settings(TrainFixtures.overrides(dataset, run, "iterations=2")), false);
        assertThat(run.resolve("_tmp")).doesNotExist();
        assertThat(run.resolve("student/student.safetensors")).isRegularFile();
    }

    @Test
    void resumingAFinishedRunLeavesItsExportAloneAndRepairsAMissingOne(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        List<String> args = TrainFixtures.overrides(dataset, run, "iterations=2");
        TrainJob.run(SPARK, TrainFixtures.settings(args), false);
        Path weights = run.resolve("student/student.safetensors");
        Object inode = Files.readAttributes(weights, java.nio.file.attribute.BasicFileAttributes.class)
                .fileKey();
        Path before = Files.copy(weights, dir.resolve("before.safetensors"));

        // a second process reads the student while the run is resumed (quickstart reruns do this)
        TrainJob.run(SPARK, TrainFixtures.settings(args), true);
        assertThat(Files.readAttributes(weights, java.nio.file.attribute.BasicFileAttributes.class)
                        .fileKey())
                .as("not rewritten")
                .isEqualTo(inode);

        // a lost file is restored from the final checkpoint by --resume, and nothing is left aside
        Files.delete(weights);
        TrainJob.run(SPARK, TrainFixtures.settings(args), true);
        var restored = EncoderLoader.readTensors(weights);
        EncoderLoader.readTensors(before)
                .forEach((k, v) -> assertThat(restored.get(k)).as(k).isEqualTo(v));
        try (Stream<Path> files = Files.list(run)) {
            assertThat(files.map(p -> p.getFileName().toString())
                            .filter(n -> n.startsWith("_"))
                            .toList())
                    .isEmpty();
        }
    }

    @Test
    void aSecondRunOnTheSameRunDirIsRefusedAtOnce(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        org.apache.hadoop.conf.Configuration conf = SPARK.sparkContext().hadoopConfiguration();
        try (var held = io.distillery.locks.WriterLock.acquire(
                new org.apache.hadoop.fs.Path(run.resolve("writer.lock").toUri()), run.toString(), "train", conf)) {
            assertThatThrownBy(() -> TrainJob.run(
                            SPARK,
                            TrainFixtures.settings(TrainFixtures.overrides(dataset, run, "iterations=2")),
                            false))
                    .isInstanceOf(io.distillery.locks.OutputLockedException.class)
                    .hasMessageContaining(run.getFileName() + " is being written by another run: ")
                    .hasMessageContaining("(train, started ");
        }
        assertThat(Files.exists(run.resolve("checkpoints"))).isFalse();
    }

    private static float[] filled(int n, float value) {
        float[] out = new float[n];
        java.util.Arrays.fill(out, value);
        return out;
    }
}
