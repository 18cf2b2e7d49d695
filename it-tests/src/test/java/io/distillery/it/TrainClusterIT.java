package io.distillery.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.config.JobConfigLoader;
import io.distillery.evaluate.EvaluateJob;
import io.distillery.evaluate.EvaluateSettings;
import io.distillery.extract.ExtractJob;
import io.distillery.extract.ExtractSettings;
import io.distillery.extract.ExtractSummary;
import io.distillery.it.cluster.ClusterInputs;
import io.distillery.it.cluster.ClusterPaths;
import io.distillery.it.cluster.DistilleryCluster;
import io.distillery.it.cluster.TaskLog;
import io.distillery.model.EncoderLoader;
import io.distillery.model.ModelConfigs;
import io.distillery.report.EvaluationReport;
import io.distillery.report.ModelResult;
import io.distillery.train.TrainJob;
import io.distillery.train.TrainSettings;
import io.distillery.train.TrainSummary;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train and evaluate on a real Spark standalone cluster (Master + 2 Worker JVMs, one executor JVM per worker) with
 * the feature dataset, run directory and models on HDFS: parameter averaging across both executors, a driver killed
 * mid-training and resumed, and evaluation of the trained student.
 */
class TrainClusterIT {
    private static final String FEATURES = "/train/features";
    private static final String SHARDS = "/train/in";
    private static DistilleryCluster cluster;
    private static SparkSession spark;

    @BeforeAll
    static void startClusterAndExtract(@TempDir Path dir) throws Exception {
        cluster = DistilleryCluster.start(dir);
        spark = cluster.spark();
        ClusterInputs.writeShards(cluster.hdfs(), SHARDS, 4, 6);
        ExtractSummary summary = ExtractJob.run(
                spark,
                ExtractSettings.from(JobConfigLoader.load(
                        null, cluster.extractSettings(SHARDS, FEATURES, "views.random=1"), "distillery.extract")));
        assertThat(summary.ok()).as(summary.toString()).isTrue();
        assertThat(summary.rows()).isEqualTo(48);
        if (!cluster.hdfs().exists("/student/config.json")) {
            cluster.hdfs()
                    .copyFromLocal(ClusterPaths.PARITY.resolve("student_d2v2/config.json"), "/student/config.json");
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** --set arguments of a train job on HDFS: 2 workers x batch 4, averaging every 2 iterations. */
    private static List<String> trainSettings(String runDir, int iterations) {
        return List.of(
                "dataset=\"" + cluster.hdfs().uri(FEATURES) + "\"",
                "run-dir=\"" + cluster.hdfs().uri(runDir) + "\"",
                "student.model=\"" + cluster.hdfs().uri("/student/config.json") + "\"",
                "student.depth=2",
                "iterations=" + iterations,
                "optimizer.lr=2e-3",
                "optimizer.warmup-iterations=2",
                "optimizer.min-lr=1e-4",
                "parameter-averaging.batch-size-per-worker=4",
                "parameter-averaging.averaging-frequency=2",
                "parameter-averaging.workers=2",
                "checkpoint.every=4",
                "checkpoint.keep=2");
    }

    private static List<JsonNode> metrics(String runDir) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try (FSDataInputStream in = cluster.hdfs().fs().open(new org.apache.hadoop.fs.Path(runDir, "metrics.jsonl"));
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                out.add(json.readTree(line));
            }
        }
        return out;
    }

    @Test
    void parameterAveragingOnBothExecutorsThenEvaluateReadsEverythingFromHdfs(@TempDir Path dir) throws Exception {
        TrainSummary summary;
        try (TaskLog log = TaskLog.install(spark.sparkContext())) {
            summary = TrainJob.run(
                    spark,
                    TrainSettings.from(
                            JobConfigLoader.load(null, trainSettings("/train/run", 12), "distillery.train"),
                            "distillery.train"),
                    false);
            TaskLog tasks = log.drain();
            assertThat(tasks.executorsWithSuccess())
                    .as("workers ran on both executor JVMs")
                    .hasSize(2);
            assertThat(tasks.failures()).isEmpty();
        }
        assertThat(summary.iteration()).isEqualTo(12);
        List<JsonNode> m = metrics("/train/run");
        assertThat(m).hasSize(6);
        assertThat(m.get(5).path("loss").asDouble())
                .isLessThan(m.get(0).path("loss").asDouble());
        assertThat(cluster.hdfs().names("/train/run/checkpoints")).containsExactly("iter-00000008", "iter-00000012");
        assertThat(cluster.hdfs().names("/train/run/student"))
                .contains("model.zip", "student.safetensors", "config.json");

        Path local = Files.createDirectories(dir.resolve("student"));
        for (String f : List.of("config.json", "student.safetensors")) {
            cluster.hdfs()
                    .fs()
                    .copyToLocalFile(
                            new org.apache.hadoop.fs.Path("/train/run/student/" + f),
                            new org.apache.hadoop.fs.Path(local.resolve(f).toUri()));
        }
        assertThat(EncoderLoader.load(
                                ModelConfigs.fromJson(local.resolve("config.json")),
                                local.resolve("student.safetensors"))
                        .config()
                        .depth())
                .isEqualTo(2);

        Path report = dir.resolve("report");
        List<String> teacher = cluster.teacherOnHdfs();
        List<String> o = List.of(
                "train-images.path=\"" + cluster.hdfs().uri(SHARDS) + "\"",
                "test-images.path=\"" + cluster.hdfs().uri(SHARDS) + "\"",
                "out=\"" + report + "\"",
                "knn.k=5",
                "probe.max-iterations=100",
                "targets.dataset=\"" + cluster.hdfs().uri(FEATURES) + "\"",
                "targets.rows=16",
                "loss-run=\"" + cluster.hdfs().uri("/train/run") + "\"",
                "models=[{name = teacher, kind = teacher, model = "
                        + teacher.get(0).substring("teacher.model=".length())
                        + ", checkpoint = " + teacher.get(1).substring("teacher.checkpoint=".length()) + "},"
                        + "{name = student, kind = student, run-dir = \""
                        + cluster.hdfs().uri("/train/run") + "\"}]");
        EvaluateJob.Outcome outcome =
                EvaluateJob.run(spark, EvaluateSettings.from(JobConfigLoader.load(null, o, EvaluateSettings.SECTION)));
        EvaluationReport read = EvaluationReport.readJson(report.resolve("report.json"));
        assertThat(read.models()).extracting(ModelResult::name).containsExactly("teacher", "student");
        assertThat(read.models()).allSatisfy(r -> {
            assertThat(r.trainCount()).isEqualTo(24);
            assertThat(r.knnAccuracy()).isBetween(0.0, 1.0);
        });
        ModelResult student = read.models().get(1);
        assertThat(student.targetMse()).isPositive();
        assertThat(student.targetCosine()).isBetween(-1.0, 1.0);
        assertThat(outcome.plots()).containsExactly(report.resolve("accuracy.png"), report.resolve("loss.png"));
    }

    @Test
    void aDriverKilledMidTrainingResumesFromItsLastCheckpointToTheBudget(@TempDir Path dir) throws Exception {
        String run = "/train/killed";
        List<String> args = new ArrayList<>(List.of("train"));
        for (String s : trainSettings(run, 60)) {
            args.addAll(List.of("--set", s));
        }
        DistilleryCluster.Launched first = cluster.launch(dir.resolve("first"), args.toArray(String[]::new));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (!cluster.hdfs().exists(run + "/checkpoints/iter-00000008/state.json")) {
            assertThat(first.process().isAlive())
                    .as(
                            "first driver still running; stderr: %s",
                            Files.exists(first.stderr()) ? Files.readString(first.stderr()) : "")
                    .isTrue();
            assertThat(System.nanoTime()).as("a checkpoint within 4 minutes").isLessThan(deadline);
            Thread.sleep(200);
        }
        first.killDriver();
        first.process().waitFor(30, TimeUnit.SECONDS);
        List<String> beforeResume = cluster.hdfs().names(run + "/checkpoints");
        assertThat(beforeResume)
                .as("only complete checkpoints carry the final name")
                .allMatch(n -> n.startsWith("iter-") || n.startsWith("_tmp-"));

        args.add("--resume");
        DistilleryCluster.Result resumed = cluster.launch(dir.resolve("second"), args.toArray(String[]::new))
                .await(8);
        assertThat(resumed.code()).as(resumed.stderr()).isZero();
        assertThat(resumed.stdout() + resumed.stderr())
                .containsPattern("resuming .* from iteration (8|1[0-9]|[2-5][0-9])");
        List<JsonNode> m = metrics(cluster.hdfs().uri(run));
        List<Integer> iterations =
                m.stream().map(n -> n.path("iteration").asInt()).toList();
        assertThat(iterations)
                .as("every round once, in order, up to the budget")
                .isSorted()
                .doesNotHaveDuplicates();
        assertThat(iterations.get(iterations.size() - 1)).isEqualTo(60);
        assertThat(cluster.hdfs().names(run + "/checkpoints"))
                .contains("iter-00000060")
                .noneMatch(n -> n.startsWith("_tmp-"));
        assertThat(cluster.hdfs().names(run + "/student")).contains("student.safetensors");
    }
}
