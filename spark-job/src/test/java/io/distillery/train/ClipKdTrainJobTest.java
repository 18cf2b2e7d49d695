package io.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.config.JobConfigLoader;
import io.distillery.evaluate.ImageTextEvaluateJob;
import io.distillery.evaluate.ImageTextEvaluateSettings;
import io.distillery.report.MetricsRecord;
import io.distillery.student.ImageTextStudentGraph;
import io.distillery.student.KdLossParameters;
import io.distillery.testing.TinyClip;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train} of a CLIP-KD student on a CLIP teacher's dataset (the tiny random open_clip of the fixtures over the
 * captioned train shards), in Spark local mode: it learns on CLIP's loss plus distillation terms, resumes, exports
 * a student that {@code evaluate} reads with CLIP's tokenizer, trains on masked views with {@code mfd}, and refuses
 * what it cannot train in one line.
 */
class ClipKdTrainJobTest {

    private static Path clipDataset(Path dir) throws Exception {
        Path[] teacher = TinyClip.write(dir.resolve("teacher"));
        return TrainFixtures.extract(
                dir,
                "teacher.kind=open-clip",
                "teacher.model=\"" + teacher[0] + "\"",
                "teacher.checkpoint=\"" + teacher[1] + "\"");
    }

    private static List<String> overrides(Path dataset, Path run, String... extra) {
        List<String> o = new ArrayList<>(TrainFixtures.overrides(
                dataset,
                run,
                "student.multimodal.enabled=true",
                "student.multimodal.embed-dim=" + TinyClip.EMBED,
                "student.multimodal.top-blocks=1",
                "student.multimodal.losses=[{type=clip}, {type=fd, weight=200}, {type=icl, weight=0.5}]"));
        o.addAll(List.of(extra));
        return o;
    }

    @Test
    void theStudentLearnsFromTheTeachersEmbeddingsResumesAndExports(@TempDir Path dir) throws Exception {
        Path features = clipDataset(dir);
        Path run = dir.resolve("run");
        TrainSummary first = TrainJob.run(
                TrainFixtures.SPARK, TrainFixtures.settings(overrides(features, run, "iterations=8")), false);
        assertThat(first.iteration()).isEqualTo(8);
        TrainSummary resumed =
                TrainJob.run(TrainFixtures.SPARK, TrainFixtures.settings(overrides(features, run)), true);
        assertThat(resumed.resumedFromIteration()).isEqualTo(8);
        assertThat(resumed.iteration()).isEqualTo(16);

        ObjectMapper json = new ObjectMapper();
        List<MetricsRecord> m = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            m.add(json.readValue(line, MetricsRecord.class));
        }
        assertThat(m).hasSize(8);
        double start = (m.get(0).loss() + m.get(1).loss()) / 2;
        double end = (m.get(6).loss() + m.get(7).loss()) / 2;
        assertThat(end).as("loss of the last two rounds vs the first two").isLessThan(0.9 * start);

        Path student = run.resolve("student");
        JsonNode shape = json.readTree(student.resolve("multimodal.json").toFile());
        assertThat(shape.path("tokenizer_kind").asText()).isEqualTo("clip-bpe");
        assertThat(shape.path("tokenizer").isNull()).isTrue(); // the bundled vocabulary
        assertThat(shape.path("vocab_size").asInt()).isEqualTo(TinyClip.VOCAB);
        assertThat(shape.path("text_tokens").asInt()).isEqualTo(TinyClip.CONTEXT);
        assertThat(shape.path("losses").findValuesAsText("type")).containsExactly("clip", "fd", "icl");
        assertThat(shape.path("teacher").path("checkpoint_sha256").asText()).hasSize(64);
        // ICL's cross logit scale trained with the student (it starts at ln(1/0.07))
        ComputationGraph net = ModelSerializer.restoreComputationGraph(
                student.resolve("model.zip").toFile(), false);
        double cross = net.getLayer(ImageTextStudentGraph.LOSS_PARAMETERS)
                .getParam(KdLossParameters.BIASES)
                .getDouble(0);
        assertThat(cross).isNotEqualTo(Math.log(1 / 0.07));

        Path classes = Files.write(dir.resolve("classes.txt"), List.of("zero", "one", "two"));
        Path templates = Files.write(dir.resolve("templates.txt"), List.of("a {} .", "the {} !"));
        ImageTextEvaluateSettings settings = ImageTextEvaluateSettings.from(JobConfigLoader.load(
                null,
                List.of(
                        "modality=image-text",
                        "test-images.path=\"" + dir.resolve("shards") + "\"",
                        "zero-shot.class-names=\"" + classes + "\"",
                        "zero-shot.templates=\"" + templates + "\"",
                        "models=[{name=clip-kd, kind=student, run-dir=\"" + run + "\"}]",
                        "out=\"" + dir.resolve("report") + "\""),
                "distillery.evaluate"));
        ImageTextEvaluateJob.ModelScores scores =
                ImageTextEvaluateJob.run(TrainFixtures.SPARK, settings).scores().get(0);
        assertThat(scores.images()).isEqualTo(16);
        assertThat(scores.zeroShot().total()).isEqualTo(16);
        assertThat(scores.retrieval().imageToText().queries()).isEqualTo(16);
    }

    @Test
    void anMfdStudentTrainsOnMaskedViewsReproduciblyAndExportsTheWholeImageForm(@TempDir Path dir) throws Exception {
        Path features = clipDataset(dir);
        String mfd = "student.multimodal.losses=[{type=clip}, {type=mfd, weight=200, mask-ratio=0.5}]";
        List<ComputationGraph> students = new ArrayList<>();
        for (String name : List.of("a", "b")) {
            Path run = dir.resolve(name);
            TrainSummary summary = TrainJob.run(
                    TrainFixtures.SPARK, TrainFixtures.settings(overrides(features, run, "iterations=4", mfd)), false);
            assertThat(summary.iteration()).isEqualTo(4);
            students.add(ModelSerializer.restoreComputationGraph(
                    run.resolve("student").resolve("model.zip").toFile(), false));
        }
        ComputationGraph student = students.get(0);
        // evaluate's form: whole images, four inputs, no token selection
        assertThat(student.getConfiguration().getNetworkInputs()).hasSize(4);
        assertThat(student.getVertex(ImageTextStudentGraph.IMAGE_VISIBLE)).isNull();
        // the masks are a function of (seed, key, view): a second run trains the same student
        assertThat(students.get(1).params()).isEqualTo(student.params());
        JsonNode shape = new ObjectMapper()
                .readTree(dir.resolve("a/student/multimodal.json").toFile());
        assertThat(shape.path("losses").get(1).path("mask-ratio").asDouble()).isEqualTo(0.5);
        Path other = dir.resolve("fd");
        TrainJob.run(
                TrainFixtures.SPARK,
                TrainFixtures.settings(overrides(
                        features,
                        other,
                        "iterations=4",
                        "student.multimodal.losses=[{type=clip}, {type=fd, weight=200}]")),
                false);
        // the same objective on whole views trains another student
        assertThat(ModelSerializer.restoreComputationGraph(
                                other.resolve("student").resolve("model.zip").toFile(), false)
                        .params())
                .isNotEqualTo(student.params());
    }

    @Test
    void whatItCannotTrainIsRefusedNamingTheSetting(@TempDir Path dir) throws Exception {
        Path features = clipDataset(dir);
        assertThatThrownBy(() -> TrainJob.run(
                        TrainFixtures.SPARK,
                        TrainFixtures.settings(overrides(features, dir.resolve("r1"), "student.multimodal.losses=[]")),
                        false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("student.multimodal.losses is empty");
        assertThatThrownBy(() -> TrainJob.run(
                        TrainFixtures.SPARK,
                        TrainFixtures.settings(overrides(
                                features,
                                dir.resolve("r2"),
                                "student.multimodal.losses=[{type=mfd}, {type=mfd, mask-ratio=0.5}]")),
                        false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("student.multimodal.losses: mfd is named more than once");
        assertThatThrownBy(() -> TrainJob.run(
                        TrainFixtures.SPARK,
                        TrainFixtures.settings(overrides(
                                features, dir.resolve("r3"), "student.multimodal.losses=[{type=crd, temprature=2}]")),
                        false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("losses[0]")
                .hasMessageContaining("temprature");
        assertThatThrownBy(() -> TrainJob.run(
                        TrainFixtures.SPARK,
                        TrainFixtures.settings(
                                overrides(features, dir.resolve("r4"), "student.multimodal.embed-dim=16")),
                        false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embed-dim is 16 but the teacher's embeddings are 32 wide");
        assertThat(dir.resolve("r1").resolve("student")).doesNotExist();
    }
}
