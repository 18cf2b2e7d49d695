package io.distillery.train;

import static io.distillery.train.TrainFixtures.SPARK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.metrics.MetricsFile;
import io.distillery.model.EncoderLoader;
import io.distillery.model.ModelConfigs;
import io.distillery.npy.ParityFiles;
import io.distillery.report.MetricsRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train with configured losses on a dataset whose teacher has a classifier (logits stored): logit losses train a
 * classifier head that is exported with the student, the run says which losses made it, and a loss whose column the
 * dataset lacks is refused before anything is written.
 */
class TrainLossesTest {
    @TempDir
    static Path shared;

    private static Path dataset;

    @BeforeAll
    static void extractWithLogits() throws Exception {
        List<String> extra = new ArrayList<>(TrainFixtures.classifierTeacher(shared));
        extra.addAll(List.of("store.logits=true", "store.pooled=true", "store.layers=[2]", "store.attention=[1]"));
        dataset = TrainFixtures.extract(shared, extra.toArray(new String[0]));
    }

    private static List<MetricsRecord> metrics(Path run) throws Exception {
        var fs = org.apache.hadoop.fs.FileSystem.getLocal(new org.apache.hadoop.conf.Configuration());
        return MetricsFile.read(
                fs, new org.apache.hadoop.fs.Path(run.resolve(MetricsFile.NAME).toUri()));
    }

    @Test
    void kdPlusCeTrainsAClassifierHeadThatIsExportedAndNamed(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        TrainSummary summary = TrainJob.run(
                SPARK,
                TrainFixtures.settings(
                        TrainFixtures.overrides(dataset, run, "losses=[{type=kd, weight=1}, {type=ce, weight=0.5}]")),
                false);
        assertThat(summary.iteration()).isEqualTo(16);
        List<MetricsRecord> m = metrics(run);
        assertThat(m).hasSize(8);
        double first = (m.get(0).loss() + m.get(1).loss()) / 2;
        double last = (m.get(6).loss() + m.get(7).loss()) / 2;
        assertThat(last).as("loss of the last two rounds vs the first two").isLessThan(0.8 * first);

        JsonNode record = new ObjectMapper().readTree(run.resolve("run.json").toFile());
        assertThat(record.at("/config/distillery/train/losses/0/type").asText()).isEqualTo("kd");
        assertThat(record.at("/config/distillery/train/losses/1/type").asText()).isEqualTo("ce");
        assertThat(record.at("/config/distillery/train/losses/1/weight").asDouble())
                .isEqualTo(0.5);

        Path student = run.resolve("student");
        var config = ModelConfigs.fromJson(student.resolve("config.json"));
        assertThat(config.numClasses())
                .as("the classifier width from the teacher's logits")
                .isEqualTo(3);
        var exported = EncoderLoader.load(config, student.resolve("student.safetensors"));
        assertThat(exported.head().classifierWeight().shape()).containsExactly(3, 64);
        try (var weights = io.distillery.checkpoint.SafetensorsFile.open(student.resolve("student.safetensors"))) {
            assertThat(weights.metadata()).containsEntry("distillery.losses", "kd*1.0+ce*0.5");
        }
        assertThat(Files.exists(student.resolve("projection.safetensors"))).isFalse();
    }

    @Test
    void kdTrainsFromTopKLogitsRebuiltAsFkdDoes(@TempDir Path dir) throws Exception {
        // the same views with only the top 2 of the 3 logits stored (+ the log-sum-exp of the third)
        List<String> extra = new ArrayList<>(TrainFixtures.classifierTeacher(dir));
        extra.addAll(List.of("store.logits=true", "store.logits-top-k=2"));
        Path topK = TrainFixtures.extract(dir, extra.toArray(new String[0]));
        var md = io.distillery.dataset.FeatureDataset.open(SPARK, topK.toString(), false)
                .metadata();
        assertThat(md.tensorColumns()).noneMatch(c -> c.name().equals("logits"));

        Path run = dir.resolve("run");
        TrainSummary summary = TrainJob.run(
                SPARK,
                TrainFixtures.settings(TrainFixtures.overrides(topK, run, "losses=[{type=kd, weight=1}]")),
                false);
        assertThat(summary.iteration()).isEqualTo(16);
        List<MetricsRecord> m = metrics(run);
        double first = (m.get(0).loss() + m.get(1).loss()) / 2;
        double last = (m.get(6).loss() + m.get(7).loss()) / 2;
        assertThat(last).as("loss of the last two rounds vs the first two").isLessThan(0.8 * first);
        assertThat(ModelConfigs.fromJson(run.resolve("student/config.json")).numClasses())
                .as("the classifier width from the top-k metadata's class count")
                .isEqualTo(3);
    }

    @Test
    void aNarrowStudentTrainsWithEveryWiredLossAndResumesWithTheLossesConfiguredNow(@TempDir Path dir)
            throws Exception {
        Path narrow = dir.resolve("student32.json");
        Files.writeString(
                narrow,
                Files.readString(ParityFiles.file("student_d2v2/config.json"))
                        .replace("\"embed_dim\": 64", "\"embed_dim\": 32"));
        Path run = dir.resolve("run");
        String losses = "losses=[{type=d2v, weight=1}, {type=dkd, warmup=2}, {type=cosine}, {type=pkt, weight=0.5},"
                + " {type=hidden, student-block=2, teacher-layer=2}]";
        String student = "student.model=\"" + narrow + "\"";
        TrainJob.run(
                SPARK,
                TrainFixtures.settings(TrainFixtures.overrides(dataset, run, losses, student, "iterations=4")),
                false);
        TrainSummary resumed = TrainJob.run(
                SPARK,
                TrainFixtures.settings(TrainFixtures.overrides(
                        dataset, run, losses.replace("weight=0.5", "weight=2"), student, "iterations=8")),
                true);
        assertThat(resumed.iteration()).isEqualTo(8);
        assertThat(metrics(run)).allSatisfy(r -> assertThat(r.loss()).isFinite().isPositive());
        var model = org.deeplearning4j.util.ModelSerializer.restoreComputationGraph(
                run.resolve("student/model.zip").toFile(), false);
        assertThat(model.getConfiguration().getNetworkOutputs())
                .containsExactly("loss", "head", "feature.2", "feature.3", "hidden.4");
        assertThat(model.getLayer("feature.2.proj").getParam("W").shape())
                .as("cosine: 32 -> 64")
                .containsExactly(32, 64);
        assertThat(model.getLayer("hidden.4.proj").getParam("W").shape())
                .as("hidden: 32 -> 64 per token")
                .containsExactly(64, 32);
        var pkt = (io.distillery.objective.TermLossFunction) io.distillery.objective.GraphLosses.lossOf(
                model.getConfiguration().getVertices().get("feature.3"));
        assertThat(pkt.name()).as("the resumed session's weight").isEqualTo("2.0 * pkt");
        var dkd = (io.distillery.objective.TermLossFunction) io.distillery.objective.GraphLosses.lossOf(
                model.getConfiguration().getVertices().get("head"));
        assertThat(dkd.epoch())
                .as("the last pass's 1-based epoch, as DKD's warm-up saw it")
                .isEqualTo(resumed.epochs() + 1.0);
    }

    /**
     * TinyBERT's attention loss: the student's last block (4 heads, like the teacher) learns the teacher's
     * first-block attention maps, beside a hidden-state loss on that block's output (the block's MLP must feed a
     * loss) weighted so low that the attention term is nearly all of the loss; the loss falls and the export is the
     * plain student.
     */
    @Test
    void anAttentionMapLossTrainsTheStudentsAttentionTowardsTheTeachers(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        TrainJob.run(
                SPARK,
                TrainFixtures.settings(TrainFixtures.overrides(
                        dataset,
                        run,
                        "losses=[{type=attention, weight=1, student-block=2, teacher-layer=1},"
                                + " {type=hidden, weight=1e-4, student-block=2, teacher-layer=2}]",
                        "optimizer.lr=5e-3",
                        "iterations=32")),
                false);
        List<MetricsRecord> m = metrics(run);
        assertThat(m)
                .hasSize(16)
                .allSatisfy(r -> assertThat(r.loss()).isFinite().isPositive());
        // rounds alternate between batches of different difficulty: compare 4 rounds (measured: 0.0049 -> 0.0040)
        double first = m.subList(0, 4).stream()
                .mapToDouble(MetricsRecord::loss)
                .average()
                .orElseThrow();
        double last = m.subList(12, 16).stream()
                .mapToDouble(MetricsRecord::loss)
                .average()
                .orElseThrow();
        assertThat(last).as("loss of the last four rounds vs the first four").isLessThan(0.9 * first);
        var model = org.deeplearning4j.util.ModelSerializer.restoreComputationGraph(
                run.resolve("student/model.zip").toFile(), false);
        assertThat(model.getConfiguration().getNetworkOutputs()).containsExactly("hidden.1", "attention.0");
        assertThat(model.getConfiguration().getVertexInputs().get("attention.0"))
                .containsExactly("blocks.1.attn.probs");
        var config = ModelConfigs.fromJson(run.resolve("student/config.json"));
        EncoderLoader.load(config, run.resolve("student/student.safetensors"));
    }

    @Test
    void anAttentionLossIsRefusedWhenHeadsDifferOrTheMapsAreNotStored(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        assertThatThrownBy(() -> TrainJob.run(
                        SPARK,
                        TrainFixtures.settings(TrainFixtures.overrides(
                                dataset,
                                run,
                                "losses=[{type=d2v}, {type=attention, student-block=1, teacher-layer=3}]")),
                        false))
                .hasMessage("distillery.train.losses[1] (attention) needs column 'attention_03', which dataset "
                        + dataset + " does not have: extract with store.attention including 3");
        Path twoHeads = dir.resolve("student-2-heads.json");
        Files.writeString(
                twoHeads,
                Files.readString(ParityFiles.file("student_d2v2/config.json"))
                        .replace("\"num_heads\": 4", "\"num_heads\": 2"));
        assertThatThrownBy(() -> TrainJob.run(
                        SPARK,
                        TrainFixtures.settings(TrainFixtures.overrides(
                                dataset,
                                run,
                                "losses=[{type=attention, student-block=2, teacher-layer=1}]",
                                "student.model=\"" + twoHeads + "\"")),
                        false))
                .hasMessage("distillery.train.losses[0] (attention): the teacher's attention maps in column"
                        + " 'attention_01' of dataset " + dataset + " have 4 heads but the student has 2 (student"
                        + " num_heads); attention maps are compared head by head");
        assertThat(Files.exists(run)).as("nothing written for a refused job").isFalse();
    }

    @Test
    void aLossWhoseColumnTheDatasetLacksIsRefusedNamingBoth(@TempDir Path dir) {
        Path run = dir.resolve("run");
        assertThatThrownBy(() -> TrainJob.run(
                        SPARK,
                        TrainFixtures.settings(TrainFixtures.overrides(
                                dataset, run, "losses=[{type=d2v}, {type=cosine, teacher-column=cls}]")),
                        false))
                .hasMessage("distillery.train.losses[1] (cosine) needs column 'cls', which dataset " + dataset
                        + " does not have: extract with store.cls = true");
        assertThat(Files.exists(run)).as("nothing written for a refused job").isFalse();
    }
}
