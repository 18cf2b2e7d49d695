package io.distillery.train;

import static io.distillery.train.TrainFixtures.SPARK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.config.JobConfigLoader;
import io.distillery.dataset.FeatureDataset;
import io.distillery.extract.ExtractJob;
import io.distillery.extract.ExtractSettings;
import io.distillery.extract.ExtractSummary;
import io.distillery.features.FeatureColumns;
import io.distillery.model.VertexNames;
import io.distillery.model.bert.BertConfig;
import io.distillery.model.bert.BertEncoder;
import io.distillery.model.bert.BertOutputs;
import io.distillery.report.MetricsRecord;
import io.distillery.student.TextStudentGraph;
import io.distillery.testing.TinyBert;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * train on a text feature dataset in Spark local mode: extract with the tiny BERT of common's fixtures, a 1-layer
 * student inheriting the teacher's layer 1, loss decrease, --resume, and the exported student in BertEncoder.
 */
class TextTrainJobTest {
    private static final int MAX_LENGTH = 12;

    @TempDir
    static Path shared;

    private static Path dataset;

    @BeforeAll
    static void extractOnce() throws Exception {
        Path vocab = TinyBert.vocab(shared.resolve("vocab.txt"));
        Path in = Files.createDirectories(shared.resolve("in"));
        Files.write(
                in.resolve("a.txt"), List.of("the cat sat on the mat", "a big red dog ran far away", "dogs", "cats"));
        Files.write(in.resolve("b.txt"), List.of("a red house", "the big mat", "far far away on the house", "sat"));
        dataset = shared.resolve("features");
        ExtractSummary summary = ExtractJob.run(
                SPARK,
                ExtractSettings.from(JobConfigLoader.load(
                        null,
                        List.of(
                                "input.modality=text",
                                "input.format=text-lines",
                                "input.path=\"" + in + "\"",
                                "output.path=\"" + dataset + "\"",
                                "teacher.model=\"" + TinyBert.file("config.json") + "\"",
                                "teacher.checkpoint=\"" + TinyBert.file("weights.safetensors") + "\"",
                                "text.tokenizer=\"" + vocab + "\"",
                                "text.max-length=" + MAX_LENGTH,
                                "target.tensor=block",
                                "target.top-k=1",
                                "target.dtype=fp32",
                                "batch-size=4"),
                        "distillery.extract")));
        assertThat(summary.ok()).as(summary.toString()).isTrue();
        assertThat(summary.rows()).isEqualTo(8);
    }

    private static TrainSettings settings(Path run, String... extra) throws Exception {
        List<String> o = new ArrayList<>(List.of(
                "dataset=\"" + dataset + "\"",
                "run-dir=\"" + run + "\"",
                "student.model=\"" + TinyBert.file("config.json") + "\"",
                "student.depth=1",
                "student.init-checkpoint=\"" + TinyBert.file("weights.safetensors") + "\"",
                "student.init-layers=[1]",
                "optimizer.lr=2e-3",
                "optimizer.warmup-iterations=2",
                "optimizer.min-lr=1e-4",
                "iterations=16",
                "parameter-averaging.batch-size-per-worker=4",
                "parameter-averaging.averaging-frequency=2",
                "parameter-averaging.workers=2",
                "checkpoint.every=4",
                "checkpoint.keep=2"));
        o.addAll(List.of(extra));
        return TrainFixtures.settings(o);
    }

    private static List<MetricsRecord> metrics(Path runDir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<MetricsRecord> out = new ArrayList<>();
        for (String line : Files.readAllLines(runDir.resolve("metrics.jsonl"))) {
            out.add(json.readValue(line, MetricsRecord.class));
        }
        return out;
    }

    @Test
    void aStudentInheritingLayerOneLearnsResumesAndExportsABertEncoder(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        TrainSummary first = TrainJob.run(SPARK, settings(run, "iterations=8"), false);
        assertThat(first.iteration()).isEqualTo(8);
        TrainSummary resumed = TrainJob.run(SPARK, settings(run), true);
        assertThat(resumed.resumedFromIteration()).isEqualTo(8);
        assertThat(resumed.iteration()).isEqualTo(16);
        List<MetricsRecord> m = metrics(run);
        assertThat(m).extracting(MetricsRecord::iteration).containsExactly(2, 4, 6, 8, 10, 12, 14, 16);
        double start = (m.get(0).loss() + m.get(1).loss()) / 2;
        double end = (m.get(6).loss() + m.get(7).loss()) / 2;
        assertThat(end).as("loss of the last two rounds vs the first two").isLessThan(0.9 * start);

        // the exported student: a Hugging Face BERT that BertEncoder loads, equal to the trained graph
        Path studentDir = run.resolve("student");
        BertConfig config = BertConfig.fromJson(studentDir.resolve("config.json"));
        assertThat(config.numLayers()).isEqualTo(1);
        assertThat(config.hiddenSize()).isEqualTo(32);
        assertThat(Files.exists(studentDir.resolve("projection.safetensors"))).isFalse();
        BertEncoder exported = BertEncoder.load(config, studentDir.resolve("model.safetensors"));
        ComputationGraph model = ModelSerializer.restoreComputationGraph(
                studentDir.resolve("model.zip").toFile(), true);
        assertThat(model.getConfiguration().getIterationCount()).isEqualTo(16);
        List<Row> rows = FeatureDataset.open(SPARK, dataset.toString(), false)
                .rows()
                .select(FeatureColumns.KEY, TextRowBatcher.columns())
                .orderBy(FeatureColumns.KEY)
                .collectAsList();
        MultiDataSet batch =
                new TextRowBatcher(MAX_LENGTH, 32, io.distillery.features.TensorDType.FP32, 8).toBatch(rows);
        INDArray[] in = batch.getFeatures();
        assertThat(in[2].sumNumber().doubleValue()).isLessThan(8.0 * MAX_LENGTH); // padding present
        Map<String, INDArray> acts = model.feedForward(in, false);
        INDArray graphOut = acts.get(VertexNames.block(0)).reshape(8, MAX_LENGTH, 32);
        try (BertOutputs out = exported.forward(in[0], in[2], in[1])) {
            INDArray bertOut = out.lastHiddenState();
            double scale = graphOut.amaxNumber().doubleValue();
            assertThat(bertOut.sub(graphOut).amaxNumber().doubleValue()).isLessThan(1e-5 * scale);
        }
        // the score the loss reports is finite with padding present
        assertThat(model.score(batch)).isFinite();
        assertThat(model.getVertex(TextStudentGraph.HEAD)).isNotNull();
    }

    @Test
    void imageOnlySettingsAreRefusedOnTextDatasets(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> TrainJob.run(SPARK, settings(dir.resolve("a"), "student.mask.enabled=true"), false))
                .hasMessageContaining("is a text feature dataset")
                .hasMessageContaining("student.mask");
        assertThatThrownBy(() ->
                        TrainJob.run(SPARK, settings(dir.resolve("b"), "losses=[{type = kd, weight = 1}]"), false))
                .hasMessageContaining("d2v, hidden and attention losses only");
        assertThatThrownBy(() -> TrainJob.run(SPARK, settings(dir.resolve("c"), "student.init-blocks=[0]"), false))
                .hasMessageContaining("init-layers");
        assertThatThrownBy(() -> TrainJob.run(
                        SPARK,
                        settings(
                                dir.resolve("c2"),
                                "student.init-checkpoint=\"x.safetensors\"",
                                "student.init-head=true"),
                        false))
                .hasMessageContaining("student.init-head applies to image students");
        assertThatThrownBy(() -> TrainJob.run(
                        SPARK,
                        settings(
                                dir.resolve("d"),
                                "student.model=\""
                                        + io.distillery.npy.ParityFiles.root().resolve("student_d2v2/config.json")
                                        + "\""),
                        false))
                .hasMessageContaining("must be a BERT config.json");
    }

    @Test
    void aBertStudentOrInitLayersAreRefusedForImageDatasets() throws Exception {
        var conf = SPARK.sparkContext().hadoopConfiguration();
        assertThatThrownBy(() ->
                        TextTrainJob.refuseOnImages(settings(shared.resolve("r"), "student.init-layers=[]"), conf))
                .hasMessageContaining("is a BERT (text) student");
        assertThatThrownBy(() -> TextTrainJob.refuseOnImages(
                        TrainFixtures.settings(TrainFixtures.overrides(
                                shared.resolve("images"), shared.resolve("r2"), "student.init-layers=[0]")),
                        conf))
                .hasMessageContaining("applies to text students only");
    }
}
