package io.distillery.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.config.JobConfigLoader;
import io.distillery.dataset.FeatureDataset;
import io.distillery.extract.ExtractJob;
import io.distillery.extract.ExtractSettings;
import io.distillery.extract.ExtractSummary;
import io.distillery.features.FeatureFormatException;
import io.distillery.it.cluster.ClusterInputs;
import io.distillery.it.cluster.ClusterPaths;
import io.distillery.it.cluster.DistilleryCluster;
import io.distillery.it.cluster.SparkDistribution;
import io.distillery.it.cluster.StandaloneCluster;
import io.distillery.it.cluster.TaskLog;
import io.distillery.provenance.Sha256;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The extract job on a real Spark standalone cluster (Master + 2 Worker JVMs, one executor JVM per worker) with
 * inputs, teacher and output on HDFS. The driver is this JVM, except where the launcher is the point.
 */
class ExtractClusterIT {
    private static DistilleryCluster cluster;
    private static SparkSession spark;

    @BeforeAll
    static void startCluster(@TempDir Path dir) throws Exception {
        cluster = DistilleryCluster.start(dir);
        spark = cluster.spark();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * Job settings as --set arguments: WebDataset input and output on HDFS, the parity teacher from HDFS (executors
     * copy it to local disk once, see ModelFiles).
     */
    private static List<String> overrides(String input, String output, String... extra) throws Exception {
        return cluster.extractSettings(input, output, extra);
    }

    private static ExtractSummary extract(List<String> overrides) throws Exception {
        return ExtractJob.run(spark, ExtractSettings.from(JobConfigLoader.load(null, overrides, "distillery.extract")));
    }

    private static Set<String> writeShards(String dir, int shards, int samples) throws Exception {
        return ClusterInputs.writeShards(cluster.hdfs(), dir, shards, samples);
    }

    private static List<Row> keysAndViews(String output) throws Exception {
        return FeatureDataset.open(spark, cluster.hdfs().uri(output), false)
                .rows()
                .select("key", "view")
                .collectAsList();
    }

    /** (key, view) of every row; fails on a duplicate. */
    private static Set<String> uniqueRows(List<Row> rows) {
        Set<String> seen = new HashSet<>();
        for (Row r : rows) {
            String id = r.getString(0) + "/" + r.getInt(1);
            assertThat(seen.add(id)).as("row %s appears more than once", id).isTrue();
        }
        return seen;
    }

    private static Set<String> expectedRows(Set<String> keys, int views) {
        Set<String> expected = new HashSet<>();
        for (String key : keys) {
            for (int v = 0; v < views; v++) {
                expected.add(key + "/" + v);
            }
        }
        return expected;
    }

    @Test
    void extractOverHdfsWritesEveryViewOnceAndCompletesTheDataset() throws Exception {
        Set<String> keys = writeShards("/e2e/in", 4, 5);
        ExtractSummary summary;
        try (TaskLog log = TaskLog.install(spark.sparkContext())) {
            summary = extract(overrides("/e2e/in", "/e2e/out", "views.random=2", "store.layers=[2]"));
            assertThat(log.drain().executorsWithSuccess())
                    .as("shards ran on both executor JVMs")
                    .hasSize(2);
        }
        assertThat(summary.ok()).as(summary.toString()).isTrue();
        assertThat(summary.shards()).isEqualTo(4);
        assertThat(summary.skipped()).isZero();
        assertThat(summary.images()).isEqualTo(20);
        assertThat(summary.rows()).isEqualTo(60);
        assertThat(summary.rejects()).isZero();

        FeatureDataset dataset = FeatureDataset.open(spark, cluster.hdfs().uri("/e2e/out"), false);
        assertThat(dataset.status().complete()).isTrue();
        assertThat(dataset.status().shards()).isEqualTo(4);
        assertThat(dataset.status().rows()).isEqualTo(60);
        assertThat(dataset.status().images()).isEqualTo(20);
        assertThat(dataset.metadata().input().format()).isEqualTo("webdataset");
        assertThat(dataset.metadata().input().path()).isEqualTo(cluster.hdfs().uri("/e2e/in"));
        assertThat(dataset.metadata().teacher().checkpointSha256())
                .isEqualTo(Sha256.of(ClusterPaths.PARITY.resolve("teacher_beitv2/weights.safetensors")));
        assertThat(dataset.metadata().tensorColumns())
                .extracting(c -> c.name())
                .contains("target", "pixels", "layer_02");

        List<Row> rows = dataset.rows()
                .select("key", "view", "label", "caption", "target", "pixels", "layer_02")
                .collectAsList();
        assertThat(uniqueRows(rows)).isEqualTo(expectedRows(keys, 3));
        for (Row r : rows) {
            String key = r.getString(0);
            assertThat(r.getInt(2)).isEqualTo(Integer.parseInt(key.substring(key.indexOf('_') + 1)) % 3);
            assertThat(r.getString(3)).isEqualTo("caption " + key);
            // teacher: 32x32 input, 8x8 patches -> 16 tokens of 64 channels, fp16
            assertThat((byte[]) r.getAs("target")).hasSize(16 * 64 * 2);
            assertThat((byte[]) r.getAs("layer_02")).hasSize(17 * 64 * 2);
            assertThat((byte[]) r.getAs("pixels")).hasSize(32 * 32 * 3);
        }
        assertThat(cluster.hdfs().names("/e2e/out/data"))
                .containsExactly("00000.parquet", "00001.parquet", "00002.parquet", "00003.parquet");
        assertThat(cluster.hdfs().names("/e2e/out/_distillery/commits")).hasSize(4);
        assertThat(cluster.hdfs().exists("/e2e/out/_tmp")).isFalse();
    }

    @Test
    void aSecondRunOfACompleteDatasetDoesNoWorkAndChangesNothing() throws Exception {
        writeShards("/rerun/in", 3, 3);
        List<String> args = overrides("/rerun/in", "/rerun/out", "views.random=1");
        assertThat(extract(args).ok()).isTrue();
        Map<String, String> before = cluster.hdfs().snapshot("/rerun/out");
        assertThat(before).containsKey("/_distillery/dataset.json").containsKey("/data/00002.parquet");

        ExtractSummary again;
        try (TaskLog log = TaskLog.install(spark.sparkContext())) {
            again = extract(args);
            assertThat(log.drain().jobs()).as("Spark jobs started by the rerun").isZero();
        }
        assertThat(again.ok()).isTrue();
        assertThat(again.skipped()).isEqualTo(3);
        assertThat(again.rows()).isEqualTo(18);
        assertThat(cluster.hdfs().snapshot("/rerun/out"))
                .as("files, sizes, modification times, checksums")
                .isEqualTo(before);
    }

    @Test
    void killingAnExecutorMidExtractLosesAndDuplicatesNothing() throws Exception {
        int shards = 6;
        Set<String> keys = writeShards("/kill/in", shards, 6);
        SparkContext sc = spark.sparkContext();
        List<ProcessHandle> executors = cluster.executors();
        assertThat(executors).hasSize(DistilleryCluster.EXECUTORS);

        ExtractSummary summary;
        ProcessHandle victim;
        try (TaskLog log = TaskLog.install(sc)) {
            // 6 samples x 3 views / batch 4 = 5 batches per shard, 400 ms each: every task runs >= 2 s
            sc.setLocalProperty(ExtractJob.BATCH_DELAY_MILLIS, "400");
            CompletableFuture<ExtractSummary> job;
            try {
                job = CompletableFuture.supplyAsync(() -> {
                    try {
                        return extract(overrides("/kill/in", "/kill/out", "views.random=2"));
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
                // wait until the first shard is committed, then kill an executor that is running a task
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
                while (cluster.hdfs().names("/kill/out/_distillery/commits").isEmpty()
                        || log.busyExecutors().isEmpty()) {
                    assertThat(System.nanoTime())
                            .as("a shard committed in time")
                            .isLessThan(deadline);
                    assertThat(job).isNotDone();
                    Thread.sleep(100);
                }
                Set<String> busy = log.busyExecutors();
                victim = executors.stream()
                        .filter(p -> busy.contains(StandaloneCluster.executorId(p)))
                        .findFirst()
                        .orElseThrow();
                int committed =
                        cluster.hdfs().names("/kill/out/_distillery/commits").size();
                System.out.printf(
                        "killing executor %s (pid %d) with %d of %d shards committed%n",
                        StandaloneCluster.executorId(victim), victim.pid(), committed, shards);
                assertThat(committed).isLessThan(shards - 1);
                StandaloneCluster.kill(victim);
                summary = job.get(5, TimeUnit.MINUTES);
            } finally {
                sc.setLocalProperty(ExtractJob.BATCH_DELAY_MILLIS, null);
            }
            log.drain();
            assertThat(log.executorLost())
                    .as("tasks lost with the executor: %s", log.failures())
                    .isPositive();
        }
        assertThat(summary.ok()).as(summary.toString()).isTrue();
        assertThat(summary.rows()).isEqualTo(shards * 6 * 3);

        // every (sample, view) exactly once, in exactly one data file per shard, no attempt's leftovers
        assertThat(uniqueRows(keysAndViews("/kill/out"))).isEqualTo(expectedRows(keys, 3));
        assertThat(cluster.hdfs().names("/kill/out/data")).hasSize(shards);
        assertThat(cluster.hdfs().names("/kill/out/_distillery/commits")).hasSize(shards);
        assertThat(cluster.hdfs().exists("/kill/out/_tmp")).isFalse();

        // the master replaces the lost executor; later tests get two again
        assertThat(victim.isAlive()).isFalse();
        cluster.awaitExecutors(DistilleryCluster.EXECUTORS, 120);
    }

    @Test
    void badInputIsRejectedCountedAndFailsTheLaunchedJobUntilFixed(@TempDir Path dir) throws Exception {
        // shard 0: good; shard 1: good samples plus an undecodable and a truncated image; shard 2: a cut tar
        cluster.hdfs().write("/bad/in/00000.tar", ClusterInputs.tar(ClusterInputs.goodSamples("a", 3, 1)));
        java.util.Random random = new java.util.Random(2);
        List<ClusterInputs.Member> damaged = new ArrayList<>(ClusterInputs.goodSamples("b", 4, 2));
        damaged.addAll(ClusterInputs.sample("b_corrupt", ClusterInputs.garbage(500, 3), 0));
        damaged.addAll(ClusterInputs.sample(
                "b_truncated", ClusterInputs.truncated(ClusterInputs.randomPng(random, 64, 64), 0.5), 1));
        cluster.hdfs().write("/bad/in/00001.tar", ClusterInputs.tar(damaged));
        byte[] wholeTar = ClusterInputs.tar(ClusterInputs.goodSamples("c", 3, 4));
        cluster.hdfs().write("/bad/in/00002.tar", ClusterInputs.truncated(wholeTar, 0.6));

        // 1. the launcher, as a user runs it (separate driver JVM, --set overrides): exit code 2, one error line
        List<String> args = new ArrayList<>(List.of("extract"));
        for (String o : overrides("/bad/in", "/bad/out", "views.random=1")) {
            args.add("--set");
            args.add(o); // URIs stay in HOCON quotes: input.path="hdfs://..." (':' and '//' are HOCON syntax)
        }
        DistilleryCluster.Result launched = cluster.launch(dir.resolve("launch"), args.toArray(String[]::new))
                .await(5);
        assertThat(launched.code()).as(launched.stderr()).isEqualTo(2);
        List<String> errors =
                launched.stderr().lines().filter(l -> l.contains("error:")).toList();
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0))
                .contains("1 shard(s) failed")
                .contains("00002.tar")
                .contains("truncated");

        // the good and the damaged shard are committed; the cut tar left nothing; the dataset is not complete
        assertThat(cluster.hdfs().names("/bad/out/data")).containsExactly("00000.parquet", "00001.parquet");
        assertThatThrownBy(() -> FeatureDataset.open(spark, cluster.hdfs().uri("/bad/out"), false))
                .isInstanceOf(FeatureFormatException.class)
                .hasMessageContaining("in_progress");
        List<Row> rejects = spark.read()
                .parquet(cluster.hdfs().uri("/bad/out/rejects"))
                .select("key", "shard", "reason")
                .orderBy("key")
                .collectAsList();
        assertThat(rejects)
                .extracting(r -> r.getString(0) + " " + r.getString(1) + " " + r.getString(2))
                .containsExactly("b_corrupt 00001 undecodable", "b_truncated 00001 truncated");
        assertThat(uniqueRows(keysAndViewsPartial("/bad/out"))).hasSize((3 + 4) * 2);

        // 2. the tar fixed, rerun in-process: the two committed shards are kept; rejects 2 of 12 images = 17%
        //    exceed the default limit of 1%, so the dataset stays incomplete ...
        cluster.hdfs().write("/bad/in/00002.tar", wholeTar);
        ExtractSummary strict = extract(overrides("/bad/in", "/bad/out", "views.random=1"));
        assertThat(strict.failures()).isEmpty();
        assertThat(strict.skipped()).isEqualTo(2);
        assertThat(strict.images()).isEqualTo(12);
        assertThat(strict.rejects()).isEqualTo(2);
        assertThat(strict.rows()).isEqualTo(10 * 2);
        assertThat(strict.rejectLimitExceeded()).isTrue();
        assertThatThrownBy(() -> FeatureDataset.open(spark, cluster.hdfs().uri("/bad/out"), false))
                .isInstanceOf(FeatureFormatException.class);

        // 3. ... until the job is configured to tolerate them: complete, with every good sample once
        ExtractSummary tolerant =
                extract(overrides("/bad/in", "/bad/out", "views.random=1", "max-reject-fraction=0.2"));
        assertThat(tolerant.ok()).as(tolerant.toString()).isTrue();
        assertThat(tolerant.skipped()).isEqualTo(3);
        FeatureDataset dataset = FeatureDataset.open(spark, cluster.hdfs().uri("/bad/out"), false);
        assertThat(dataset.status().rejects()).isEqualTo(2);
        assertThat(dataset.status().images()).isEqualTo(12);
        assertThat(uniqueRows(keysAndViews("/bad/out"))).hasSize(10 * 2);
    }

    private static List<Row> keysAndViewsPartial(String output) throws Exception {
        return FeatureDataset.open(spark, cluster.hdfs().uri(output), true)
                .rows()
                .select("key", "view")
                .collectAsList();
    }

    @Test
    void theStandaloneSparkSubmitTemplateRunsTheJobJar(@TempDir Path dir) throws Exception {
        Path jobJar = DeployTemplatesIT.jobJar();
        Assumptions.assumeTrue(jobJar != null, "no -job.jar (built with -Ddistillery.skipJobJar=true)");
        // Spark's jars without the job jar's content; the cluster's settings in spark-defaults.conf
        Map<String, String> defaults = new java.util.LinkedHashMap<>(cluster.sparkConf());
        defaults.remove("spark.master");
        defaults.remove("spark.executor.extraJavaOptions");
        Path submit = SparkDistribution.create(dir.resolve("spark"), jobJar, defaults);

        Set<String> keys = writeShards("/submit/in", 2, 3);
        StringBuilder job = new StringBuilder("distillery.extract {\n");
        for (String setting : overrides("/submit/in", "/submit/out")) {
            job.append("  ").append(setting).append('\n');
        }
        Path conf = java.nio.file.Files.writeString(dir.resolve("job.conf"), job.append("}\n"));

        ProcessBuilder pb = new ProcessBuilder(
                        ClusterPaths.ROOT
                                .resolve("deploy/spark-submit/standalone.sh")
                                .toString(),
                        cluster.standalone().masterUrl(),
                        conf.toString(),
                        "extract",
                        "--set",
                        "views.random=1")
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile());
        pb.environment()
                .putAll(Map.of(
                        "SPARK_SUBMIT",
                        submit.toString(),
                        "JOB_JAR",
                        jobJar.toString(),
                        "EXECUTOR_CORES",
                        "1",
                        "EXECUTOR_MEMORY_GB",
                        "1",
                        "ND4J_OFFHEAP_GB",
                        "1",
                        "DRIVER_MEMORY_GB",
                        "1",
                        "SPARK_LOCAL_IP",
                        "127.0.0.1"));
        Process p = pb.start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("spark-submit finished").isTrue();
        String stderr = java.nio.file.Files.readString(dir.resolve("stderr.txt"));
        assertThat(p.exitValue()).as(stderr).isZero();
        assertThat(java.nio.file.Files.readString(dir.resolve("stdout.txt"))).contains("extract complete: 2 shards");
        // the driver JVM got the flags and memory from the template, through Spark's launcher
        assertThat(stderr).doesNotContain("Ignoring non-Spark config property");

        FeatureDataset dataset = FeatureDataset.open(spark, cluster.hdfs().uri("/submit/out"), false);
        assertThat(dataset.metadata().preprocessing().randomViews())
                .as("--set reached the job")
                .isEqualTo(1);
        assertThat(uniqueRows(keysAndViews("/submit/out"))).isEqualTo(expectedRows(keys, 2));
    }

    @Test
    void theLocalClusterScriptReportsItsDaemons() throws Exception {
        DistilleryCluster.Result status = cluster.standalone().status();
        assertThat(status.code()).as(status.stdout()).isZero();
        assertThat(status.stdout())
                .contains(
                        "master: running",
                        "worker-1: running",
                        "worker-2: running",
                        "master: " + cluster.standalone().masterUrl());
    }

    @Test
    void aTaskCarryingMoreThanTheRpcLimitFails() {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // the partition's data travels inside the task message, which spark.rpc.message.maxSize (1 MB here) bounds
        byte[] model = new byte[2 * 1024 * 1024];
        assertThatThrownBy(() ->
                        jsc.parallelize(List.of(model), 1).map(b -> b.length).collect())
                .hasMessageContaining("spark.rpc.message.maxSize");
        // a closure is not: Spark broadcasts the serialized closure ("task binary") separately, so a model captured
        // in a function still runs (logged as "Broadcasting large task binary"); ExtractTaskSizeTest bounds the
        // job's own function instead
        float[] captured = new float[512 * 1024];
        assertThat(jsc.parallelize(List.of(1, 2), 2).map(i -> captured.length).collect())
                .containsExactly(524288, 524288);
    }
}
