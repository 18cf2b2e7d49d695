package io.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.config.JobConfigLoader;
import io.distillery.evaluate.ImageTextEvaluateJob;
import io.distillery.evaluate.ImageTextEvaluateSettings;
import io.distillery.report.MetricsRecord;
import io.distillery.testing.TinyBert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train} of the multimodal student on a captioned dataset (the parity BEiT teacher on the images, the tiny BERT
 * on their captions, block targets), in Spark local mode: it learns, resumes and exports; what it cannot train on is
 * refused in one line.
 */
class ImageTextTrainJobTest {

    private static Path captionedDataset(Path dir, String captionTensor) throws Exception {
        Path vocab = TinyBert.vocab(dir.resolve("tok/vocab.txt"));
        return TrainFixtures.extract(
                dir,
                "target.tensor=block",
                "caption-teacher.model=\"" + TinyBert.file("config.json") + "\"",
                "caption-teacher.checkpoint=\"" + TinyBert.file("weights.safetensors") + "\"",
                "caption-teacher.tensor=" + captionTensor,
                "text.tokenizer=\"" + vocab + "\"",
                "text.max-length=8");
    }

    private static List<String> overrides(Path dataset, Path run, String... extra) {
        List<String> o = new ArrayList<>(TrainFixtures.overrides(
                dataset,
                run,
                "student.multimodal.enabled=true",
                "student.multimodal.embed-dim=16",
                "student.multimodal.top-blocks=1",
                "student.multimodal.text-top-k=2"));
        o.addAll(List.of(extra));
        return o;
    }

    @Test
    void theStudentLearnsResumesAndExportsItsShape(@TempDir Path dir) throws Exception {
        Path features = captionedDataset(dir, "block");
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
        assertThat(m).extracting(MetricsRecord::iteration).containsExactly(2, 4, 6, 8, 10, 12, 14, 16);
        double start = (m.get(0).loss() + m.get(1).loss()) / 2;
        double end = (m.get(6).loss() + m.get(7).loss()) / 2;
        assertThat(end).as("loss of the last two rounds vs the first two").isLessThan(0.9 * start);

        Path student = run.resolve("student");
        assertThat(student.resolve("model.zip")).isRegularFile();
        JsonNode shape = json.readTree(student.resolve("multimodal.json").toFile());
        assertThat(shape.path("vocab_size").asInt()).isEqualTo(120);
        assertThat(shape.path("text_tokens").asInt()).isEqualTo(8);
        assertThat(shape.path("shared_blocks").asInt()).isEqualTo(2);
        assertThat(shape.path("top_blocks").asInt()).isEqualTo(1);
        assertThat(shape.path("embed_dim").asInt()).isEqualTo(16);
        assertThat(shape.path("provenance").size()).isPositive();
        assertThat(shape.path("tokenizer").asText()).endsWith("vocab.txt");

        // evaluate reads the run: zero-shot over the fixture's 3 labels, retrieval over its 16 captioned images
        Path classes = Files.write(dir.resolve("classes.txt"), List.of("zero", "one", "two"));
        Path templates = Files.write(dir.resolve("templates.txt"), List.of("a {} .", "the {} ."));
        ImageTextEvaluateSettings settings = ImageTextEvaluateSettings.from(JobConfigLoader.load(
                null,
                List.of(
                        "modality=image-text",
                        "test-images.path=\"" + dir.resolve("shards") + "\"",
                        "zero-shot.class-names=\"" + classes + "\"",
                        "zero-shot.templates=\"" + templates + "\"",
                        "models=[{name=multimodal, kind=student, run-dir=\"" + run + "\"}]",
                        "out=\"" + dir.resolve("report") + "\""),
                "distillery.evaluate"));
        ImageTextEvaluateJob.ModelScores scores =
                ImageTextEvaluateJob.run(TrainFixtures.SPARK, settings).scores().get(0);
        assertThat(scores.images()).isEqualTo(16);
        assertThat(scores.zeroShot().total()).isEqualTo(16);
        assertThat(scores.retrieval().imageToText().queries()).isEqualTo(16);
        assertThat(scores.retrieval().textToImage().recallAt(10)).isBetween(0.0, 1.0);
    }

    @Test
    void theContrastiveLossAloneTrainsTheClipBaseline(@TempDir Path dir) throws Exception {
        Path features = captionedDataset(dir, "block");
        TrainSummary summary = TrainJob.run(
                TrainFixtures.SPARK,
                TrainFixtures.settings(overrides(
                        features,
                        dir.resolve("run"),
                        "iterations=4",
                        "student.multimodal.image-weight=0",
                        "student.multimodal.text-weight=0")),
                false);
        assertThat(summary.iteration()).isEqualTo(4);
        assertThat(summary.finalLoss()).isFinite().isPositive();
    }

    @Test
    void ffnTargetsAndUncaptionedDatasetsAreRefused(@TempDir Path dir) throws Exception {
        Path ffn = captionedDataset(dir.resolve("ffn"), "ffn");
        assertThatThrownBy(() -> TrainJob.run(
                        TrainFixtures.SPARK, TrainFixtures.settings(overrides(ffn, dir.resolve("r1"))), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the caption targets are 'ffn'");
        Path plain = TrainFixtures.extract(dir.resolve("plain"), "target.tensor=block");
        assertThatThrownBy(() -> TrainJob.run(
                        TrainFixtures.SPARK, TrainFixtures.settings(overrides(plain, dir.resolve("r2"))), false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a captioned image dataset");
    }
}
