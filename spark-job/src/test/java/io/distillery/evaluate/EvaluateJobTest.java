package io.distillery.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.config.JobConfigLoader;
import io.distillery.extract.SparkTestSession;
import io.distillery.extract.TestInputs;
import io.distillery.npy.ParityFiles;
import io.distillery.provenance.Sha256;
import io.distillery.report.EvaluationReport;
import io.distillery.report.ModelResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** evaluate on Spark local mode: two encoders on an easy labelled task, report and plots written. */
class EvaluateJobTest {

    @Test
    void evaluatesEveryModelAndWritesTheReport(@TempDir Path dir) throws Exception {
        Path train = Files.createDirectories(dir.resolve("train"));
        TestInputs.twoClassShard(train.resolve("t-000.tar"), 20, 1, 32);
        Path test = Files.createDirectories(dir.resolve("test"));
        TestInputs.twoClassShard(test.resolve("e-000.tar"), 10, 2, 32);
        Path teacher = ParityFiles.root().resolve("teacher_beitv2");
        Path out = dir.resolve("report");
        List<String> o = List.of(
                "train-images.path=\"" + train + "\"",
                "test-images.path=\"" + test + "\"",
                "out=\"" + out + "\"",
                "knn.k=5",
                "probe.max-iterations=200",
                "models=[{name = teacher, kind = teacher, model = \"" + teacher.resolve("config.json")
                        + "\", checkpoint = \"" + teacher.resolve("weights.safetensors") + "\"},"
                        + "{name = random, kind = baseline, model = \"" + teacher.resolve("config.json")
                        + "\", checkpoint = random}]");
        EvaluateJob.Outcome outcome = EvaluateJob.run(
                SparkTestSession.get(), EvaluateSettings.from(JobConfigLoader.load(null, o, EvaluateSettings.SECTION)));

        EvaluationReport report = EvaluationReport.readJson(out.resolve("report.json"));
        assertThat(report.models()).extracting(ModelResult::name).containsExactly("teacher", "random");
        for (ModelResult m : report.models()) {
            assertThat(m.trainCount()).isEqualTo(20);
            assertThat(m.testCount()).isEqualTo(10);
            assertThat(m.featureDim()).isEqualTo(64);
            // dark vs bright is separable from any encoder's mean token: both should be (nearly) perfect
            assertThat(m.linearProbeAccuracy()).as(m.name()).isGreaterThanOrEqualTo(0.9);
            assertThat(m.knnAccuracy()).as(m.name()).isGreaterThanOrEqualTo(0.9);
        }
        assertThat(Files.readString(out.resolve("report.md")))
                .contains("| teacher |")
                .contains("| random |");
        assertThat(ImageIO.read(out.resolve("accuracy.png").toFile()).getWidth())
                .isPositive();
        assertThat(outcome.plots()).containsExactly(out.resolve("accuracy.png"));
        assertThat(Files.exists(out.resolve("_models/random.safetensors"))).isTrue();
        // every result names the weights it scored
        assertThat(report.models().get(0).checkpoint()).isEqualTo("file:" + teacher.resolve("weights.safetensors"));
        assertThat(report.models().get(0).checkpointSha256())
                .isEqualTo(Sha256.of(teacher.resolve("weights.safetensors")));
        assertThat(report.models().get(1).checkpointSha256())
                .isEqualTo(Sha256.of(out.resolve("_models/random.safetensors")));
    }

    @Test
    void reportsTheClassifierHeadsTopOneWhenTheModelHasAHead(@TempDir Path dir) throws Exception {
        Path train = Files.createDirectories(dir.resolve("train"));
        TestInputs.twoClassShard(train.resolve("t-000.tar"), 8, 1, 32);
        Path test = Files.createDirectories(dir.resolve("test"));
        TestInputs.twoClassShard(test.resolve("e-000.tar"), 9, 2, 32); // labels 0,1,0,...: four of class 1
        // the parity teacher with a 2-class head that ignores its input and always says class 1
        Path parity = ParityFiles.root().resolve("teacher_beitv2");
        Path model = Files.createDirectories(dir.resolve("classifier"));
        Files.writeString(
                model.resolve("config.json"),
                Files.readString(parity.resolve("config.json")).replace("\"num_classes\": 0", "\"num_classes\": 2"));
        var tensors = io.distillery.model.EncoderLoader.readTensors(parity.resolve("weights.safetensors"));
        var writer = new io.distillery.checkpoint.SafetensorsWriter();
        tensors.forEach((k, v) -> writer.addArray(k, v, io.distillery.checkpoint.DType.F32));
        long dim = tensors.get("fc_norm.weight").length();
        writer.addFloats(
                "head.weight", new float[(int) (2 * dim)], new long[] {2, dim}, io.distillery.checkpoint.DType.F32);
        writer.addFloats("head.bias", new float[] {0f, 1f}, new long[] {2}, io.distillery.checkpoint.DType.F32);
        writer.write(model.resolve("weights.safetensors"));
        Path out = dir.resolve("report");
        List<String> o = List.of(
                "train-images.path=\"" + train + "\"",
                "test-images.path=\"" + test + "\"",
                "out=\"" + out + "\"",
                "knn.k=3",
                "probe.max-iterations=50",
                "models=[{name = finetuned, kind = finetuned, model = \"" + model.resolve("config.json")
                        + "\", checkpoint = \"" + model.resolve("weights.safetensors") + "\"},"
                        + "{name = headless, kind = teacher, model = \"" + parity.resolve("config.json")
                        + "\", checkpoint = \"" + parity.resolve("weights.safetensors") + "\"}]");
        EvaluateJob.run(
                SparkTestSession.get(), EvaluateSettings.from(JobConfigLoader.load(null, o, EvaluateSettings.SECTION)));

        EvaluationReport report = EvaluationReport.readJson(out.resolve("report.json"));
        assertThat(report.models().get(0).headAccuracy()).isEqualTo(4.0 / 9);
        assertThat(report.models().get(1).headAccuracy()).isNull();
        assertThat(Files.readString(out.resolve("report.md")))
                .contains("| head top-1 |")
                .contains("| 44.44 |");
    }

    @Test
    void aMissingStudentIsNamedAsSuchOnTheDriver(@TempDir Path dir) throws Exception {
        Path teacher = ParityFiles.root().resolve("teacher_beitv2");
        Path missing = dir.resolve("run/student/student.safetensors");
        List<String> o = List.of(
                "train-images.path=\"" + dir + "\"",
                "test-images.path=\"" + dir + "\"",
                "out=\"" + dir.resolve("r") + "\"",
                "models=[{name = s, kind = student, model = \"" + teacher.resolve("config.json") + "\", checkpoint = \""
                        + missing + "\"}]");
        assertThatThrownBy(() -> EvaluateJob.run(
                        SparkTestSession.get(),
                        EvaluateSettings.from(JobConfigLoader.load(null, o, EvaluateSettings.SECTION))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("models.s (student): checkpoint file:" + missing + " does not exist");
    }

    @Test
    void aSecondEvaluateOnTheSameOutIsRefusedAtOnce(@TempDir Path dir) throws Exception {
        Path teacher = ParityFiles.root().resolve("teacher_beitv2");
        Path out = Files.createDirectories(dir.resolve("r"));
        List<String> o = List.of(
                "train-images.path=\"" + dir + "\"",
                "test-images.path=\"" + dir + "\"",
                "out=\"" + out + "\"",
                "models=[{name = a, model = \"" + teacher.resolve("config.json") + "\", checkpoint = random}]");
        try (var held = io.distillery.locks.WriterLock.acquire(
                new org.apache.hadoop.fs.Path(out.resolve("writer.lock").toUri()),
                out.toString(),
                "evaluate",
                SparkTestSession.get().sparkContext().hadoopConfiguration())) {
            assertThatThrownBy(() -> EvaluateJob.run(
                            SparkTestSession.get(),
                            EvaluateSettings.from(JobConfigLoader.load(null, o, EvaluateSettings.SECTION))))
                    .isInstanceOf(io.distillery.locks.OutputLockedException.class)
                    .hasMessageStartingWith(out + " is being written by another run: ")
                    .hasMessageContaining("(evaluate, started ");
        }
        assertThat(out.resolve("_models")).as("nothing written").doesNotExist();
    }

    @Test
    void modelsOfDifferentInputSizesAreRefused(@TempDir Path dir) throws Exception {
        Path teacher = ParityFiles.root().resolve("teacher_beitv2");
        List<String> o = List.of(
                "train-images.path=\"" + dir + "\"",
                "test-images.path=\"" + dir + "\"",
                "out=\"" + dir.resolve("r") + "\"",
                "models=[{name = a, model = \"" + teacher.resolve("config.json") + "\", checkpoint = random},"
                        + "{name = b, model = beitv2_base_patch16_224, checkpoint = random}]");
        assertThatThrownBy(() -> EvaluateJob.run(
                        SparkTestSession.get(),
                        EvaluateSettings.from(JobConfigLoader.load(null, o, EvaluateSettings.SECTION))))
                .hasMessageContaining("models.b has img_size 224 but a has 32");
    }
}
