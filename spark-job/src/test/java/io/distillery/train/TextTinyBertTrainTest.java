package io.distillery.train;

import static io.distillery.train.TrainFixtures.SPARK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.distillery.config.JobConfigLoader;
import io.distillery.dataset.FeatureDataset;
import io.distillery.extract.ExtractJob;
import io.distillery.extract.ExtractSettings;
import io.distillery.extract.ExtractSummary;
import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureMetadata;
import io.distillery.features.TensorDType;
import io.distillery.features.TensorPacking;
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
import java.util.Set;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * TinyBERT's hidden and attention losses on the text student end to end in Spark local mode: extract with
 * store.layers and store.attention from the tiny BERT of common's fixtures (the attention column against a direct
 * BertEncoder pass), train a 1-layer student with d2v + hidden + attention and with hidden alone (the loss falls),
 * and the one-line refusals.
 */
class TextTinyBertTrainTest {
    private static final int MAX_LENGTH = 12;
    private static final int HEADS = 4;

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
                                "store.layers=[2]",
                                "store.attention=[1, 2]",
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
                "iterations=12",
                "parameter-averaging.batch-size-per-worker=4",
                "parameter-averaging.averaging-frequency=2",
                "parameter-averaging.workers=2",
                "checkpoint.every=12",
                "checkpoint.keep=1"));
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

    private static void assertLossFalls(Path run) throws Exception {
        List<MetricsRecord> m = metrics(run);
        assertThat(m).hasSize(6);
        double start = (m.get(0).loss() + m.get(1).loss()) / 2;
        double end = (m.get(4).loss() + m.get(5).loss()) / 2;
        System.out.printf("text TinyBERT train %s: loss %.5f -> %.5f%n", run.getFileName(), start, end);
        assertThat(end).as("loss of the last two rounds vs the first two").isLessThan(0.95 * start);
    }

    @Test
    void attentionColumnsHoldTheTeachersProbabilitiesWithPaddedKeysExactlyZero() throws Exception {
        FeatureDataset ds = FeatureDataset.open(SPARK, dataset.toString(), false);
        FeatureMetadata md = ds.metadata();
        assertThat(md.column("attention_02").shape())
                .containsExactly((long) HEADS, (long) MAX_LENGTH, (long) MAX_LENGTH);
        assertThat(md.column("attention_01").dtype()).isEqualTo(md.target().dtype());
        List<Row> rows = ds.rows()
                .select(FeatureColumns.KEY, FeatureColumns.INPUT_IDS, FeatureColumns.ATTENTION_MASK, "attention_02")
                .orderBy(FeatureColumns.KEY)
                .collectAsList();
        int n = rows.size();
        float[] ids = new float[n * MAX_LENGTH];
        float[] mask = new float[n * MAX_LENGTH];
        for (int r = 0; r < n; r++) {
            int[] rowIds = TensorPacking.unpackInts(rows.get(r).getAs(FeatureColumns.INPUT_IDS));
            byte[] rowMask = rows.get(r).getAs(FeatureColumns.ATTENTION_MASK);
            for (int t = 0; t < MAX_LENGTH; t++) {
                ids[r * MAX_LENGTH + t] = rowIds[t];
                mask[r * MAX_LENGTH + t] = rowMask[t];
            }
        }
        INDArray idArray = Nd4j.create(ids, new long[] {n, MAX_LENGTH}, DataType.FLOAT);
        INDArray maskArray = Nd4j.create(mask, new long[] {n, MAX_LENGTH}, DataType.FLOAT);
        BertEncoder teacher = BertEncoder.load(
                BertConfig.fromJson(TinyBert.file("config.json")), TinyBert.file("weights.safetensors"));
        boolean sawPadding = false;
        try (BertOutputs out =
                teacher.forward(idArray, maskArray, Nd4j.zeros(DataType.FLOAT, n, MAX_LENGTH), Set.of(1))) {
            INDArray expected = out.attentions().get(1);
            for (int r = 0; r < n; r++) {
                float[] stored = TensorPacking.unpack(rows.get(r).getAs("attention_02"), TensorDType.FP32);
                for (int h = 0; h < HEADS; h++) {
                    for (int q = 0; q < MAX_LENGTH; q++) {
                        for (int k = 0; k < MAX_LENGTH; k++) {
                            float v = stored[(h * MAX_LENGTH + q) * MAX_LENGTH + k];
                            assertThat(v).isEqualTo(expected.getFloat(r, h, q, k));
                            if (mask[r * MAX_LENGTH + k] == 0) {
                                assertThat(v).isZero();
                                sawPadding = true;
                            }
                        }
                    }
                }
            }
        }
        assertThat(sawPadding).isTrue();
    }

    @Test
    void d2vHiddenAndAttentionTrainTogether(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        TrainJob.run(
                SPARK,
                settings(
                        run,
                        "losses=[{type = d2v}, {type = hidden, student-block = 1, teacher-layer = 2},"
                                + " {type = attention, weight = 2, student-block = 1, teacher-layer = 2}]"),
                false);
        assertLossFalls(run);
        ComputationGraph model = ModelSerializer.restoreComputationGraph(
                run.resolve("student/model.zip").toFile(), false);
        assertThat(model.getConfiguration().getNetworkOutputs())
                .containsExactly(TextStudentGraph.LOSS, "hidden.1", "attention.2");
        // the export is the plain BERT encoder whatever the losses
        BertConfig config = BertConfig.fromJson(run.resolve("student/config.json"));
        assertThat(config.numLayers()).isEqualTo(1);
        assertThat(BertEncoder.load(config, run.resolve("student/model.safetensors")))
                .isNotNull();
    }

    @Test
    void aHiddenLossAloneTrainsTheStudent(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        TrainJob.run(SPARK, settings(run, "losses=[{type = hidden, student-block = 1, teacher-layer = 2}]"), false);
        assertLossFalls(run);
        ComputationGraph model = ModelSerializer.restoreComputationGraph(
                run.resolve("student/model.zip").toFile(), false);
        assertThat(model.getConfiguration().getNetworkOutputs()).containsExactly("hidden.0");
        assertThat(Files.exists(run.resolve("student/model.safetensors"))).isTrue();
    }

    @Test
    void lossesTheTextDatasetCannotFeedAreRefusedInOneLine(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> TrainJob.run(
                        SPARK, settings(dir.resolve("a"), "losses=[{type = d2v}, {type = kd, weight = 1}]"), false))
                .hasMessageContaining("losses[1] (kd)")
                .hasMessageContaining("d2v, hidden and attention losses only");
        assertThatThrownBy(() -> TrainJob.run(
                        SPARK,
                        settings(dir.resolve("b"), "losses=[{type = hidden, student-block = 1, teacher-layer = 1}]"),
                        false))
                .hasMessageContaining("losses[0] (hidden) needs column 'layer_01'")
                .hasMessageContaining("extract with store.layers including 1");
        assertThatThrownBy(() -> TrainJob.run(
                        SPARK,
                        settings(
                                dir.resolve("c"),
                                "losses=[{type = d2v}, {type = attention, student-block = 2, teacher-layer = 2}]"),
                        false))
                .hasMessageContaining("student-block is 2 but the text student has 1 layers");
        // a student of 2 heads against the teacher's 4
        ObjectNode json = (ObjectNode)
                new ObjectMapper().readTree(TinyBert.file("config.json").toFile());
        json.put("num_attention_heads", 2);
        Path twoHeads = dir.resolve("two-heads.json");
        new ObjectMapper().writeValue(twoHeads.toFile(), json);
        assertThatThrownBy(() -> TrainJob.run(
                        SPARK,
                        settings(
                                dir.resolve("d"),
                                "student.model=\"" + twoHeads + "\"",
                                "student.init-checkpoint=null",
                                "losses=[{type = d2v}, {type = attention, student-block = 1, teacher-layer = 2}]"),
                        false))
                .hasMessageContaining("losses[1] (attention)")
                .hasMessageContaining("have 4 heads but the student has 2");
    }
}
