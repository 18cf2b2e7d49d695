package io.distillery.it.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * Everything a cluster test needs, started once per test class: an HDFS mini cluster, a Spark standalone cluster
 * (Master + 2 Worker JVMs from the build's jars, see {@link StandaloneCluster}), and a Spark application whose driver
 * is the test JVM, with one executor JVM on each worker. Further drivers can be started as separate processes
 * with {@link #launch} (the real {@code deploy/bin/distillery} launcher); each worker has a second core for them.
 *
 * <p>Hooks for the jobs to come: {@link #sparkConf()} is the configuration every driver gets (train and evaluate
 * drivers included); {@link #executors()} and {@link StandaloneCluster#kill} kill executors; {@link #launch} runs a
 * driver that a test can kill ({@link Launched#killDriver()}) and then rerun with {@code --resume}.
 */
public final class DistilleryCluster implements AutoCloseable {
    /** Executor JVMs of the in-process application: one per worker. */
    public static final int EXECUTORS = 2;

    private static final String EXECUTOR_MEMORY = "768m";

    private final Path dir;
    private final HdfsCluster hdfs;
    private final StandaloneCluster standalone;
    private final Path testClassesJar;
    private SparkSession spark;

    private DistilleryCluster(Path dir, HdfsCluster hdfs, StandaloneCluster standalone, Path testClassesJar) {
        this.dir = dir;
        this.hdfs = hdfs;
        this.standalone = standalone;
        this.testClassesJar = testClassesJar;
    }

    /** Starts HDFS and the standalone cluster (in parallel), then the in-process application. */
    public static DistilleryCluster start(Path dir) throws Exception {
        long t0 = System.nanoTime();
        // two cores per worker: one for the in-process application's executor, one for a launched driver's
        StandaloneCluster.Starting starting = StandaloneCluster.start(dir.resolve("spark"), 2, 2, "2g");
        HdfsCluster hdfs = null;
        StandaloneCluster standalone = null;
        try {
            hdfs = HdfsCluster.start(dir.resolve("hdfs"));
            double hdfsUp = seconds(t0);
            standalone = starting.await();
            double standaloneUp = seconds(t0);
            DistilleryCluster cluster = new DistilleryCluster(dir, hdfs, standalone, testClassesJar(dir));
            cluster.spark =
                    SparkSession.builder().config(cluster.conf("distillery-it")).getOrCreate();
            cluster.awaitExecutors(EXECUTORS, 180);
            System.out.printf(
                    "cluster up in %.1f s (HDFS %.1f s, master + workers %.1f s): %s, %s, executors %s%n",
                    seconds(t0),
                    hdfsUp,
                    standaloneUp,
                    standalone.masterUrl(),
                    hdfs.uri(),
                    cluster.executors().stream().map(ProcessHandle::pid).toList());
            return cluster;
        } catch (Exception | Error e) {
            if (standalone == null) {
                try {
                    standalone = starting.await();
                } catch (Exception ignored) {
                    // start failed; the script stopped what it had started
                }
            }
            if (standalone != null) {
                standalone.close();
            }
            if (hdfs != null) {
                hdfs.close();
            }
            throw e;
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    /**
     * The Spark settings of every driver on this cluster. Loopback only; 1 executor core, 2 executors per
     * application; a 1 MB RPC message limit, so a task that carries more than that (e.g. a partition holding a
     * model) fails as it would on a cluster with the default 128 MB limit and a big model; executors get the Java
     * 17 flags of deploy/jvm.args and one OpenMP thread, as the spark-submit templates give them.
     */
    public Map<String, String> sparkConf() throws IOException {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("spark.master", standalone.masterUrl());
        c.put("spark.driver.host", "127.0.0.1");
        c.put("spark.driver.bindAddress", "127.0.0.1");
        c.put("spark.ui.enabled", "false");
        c.put("spark.rpc.message.maxSize", "1");
        c.put("spark.executor.cores", "1");
        c.put("spark.cores.max", Integer.toString(EXECUTORS));
        c.put("spark.executor.memory", EXECUTOR_MEMORY);
        c.put("spark.executor.extraJavaOptions", String.join(" ", ClusterPaths.jvmArgs()));
        c.put("spark.executorEnv.OMP_NUM_THREADS", "1");
        c.put("spark.task.maxFailures", "4");
        c.put("spark.sql.shuffle.partitions", "2");
        c.put("spark.hadoop.dfs.replication", "1");
        // wait for both executors before the first stage, so work is spread as on a running cluster
        c.put("spark.scheduler.minRegisteredResourcesRatio", "1.0");
        c.put("spark.scheduler.maxRegisteredResourcesWaitingTime", "120s");
        return c;
    }

    private SparkConf conf(String appName) throws IOException {
        SparkConf conf = new SparkConf(false).setAppName(appName);
        sparkConf().forEach(conf::set);
        // the test classes, so that functions defined in tests can run on the executors
        conf.set("spark.jars", testClassesJar.toUri().toString());
        return conf;
    }

    /** A jar of it-tests' compiled test classes (the executors have the job's jars already). */
    private static Path testClassesJar(Path dir) throws IOException {
        Path classes = ClusterPaths.ROOT
                .resolve("it-tests")
                .resolve(ClusterPaths.BUILD_DIR)
                .resolve("test-classes");
        Path jar = dir.resolve("distillery-it-tests.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> files = Files.walk(classes)) {
            for (Path file :
                    files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                out.putNextEntry(
                        new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    /**
     * Copies the tiny parity teacher (BEiT v2, 4 blocks, 32x32) to HDFS once; returns the {@code --set} arguments
     * that select it ({@code teacher.model}, {@code teacher.checkpoint}).
     */
    public synchronized List<String> teacherOnHdfs() throws IOException {
        if (!hdfs.exists("/teacher/weights.safetensors")) {
            hdfs.copyFromLocal(ClusterPaths.PARITY.resolve("teacher_beitv2/config.json"), "/teacher/config.json");
            hdfs.copyFromLocal(
                    ClusterPaths.PARITY.resolve("teacher_beitv2/weights.safetensors"), "/teacher/weights.safetensors");
        }
        return List.of(
                "teacher.model=\"" + hdfs.uri("/teacher/config.json") + "\"",
                "teacher.checkpoint=\"" + hdfs.uri("/teacher/weights.safetensors") + "\"");
    }

    /**
     * {@code --set} arguments of an extract job from WebDataset tars in HDFS folder {@code input} to {@code output}
     * with the parity teacher (URIs in HOCON quotes: ':' and '//' are HOCON syntax).
     */
    public List<String> extractSettings(String input, String output, String... extra) throws IOException {
        List<String> o = new ArrayList<>(List.of(
                "input.format=webdataset",
                "input.path=\"" + hdfs.uri(input) + "\"",
                "output.path=\"" + hdfs.uri(output) + "\"",
                "batch-size=4",
                "progress-interval=2s"));
        o.addAll(teacherOnHdfs());
        o.addAll(List.of(extra));
        return o;
    }

    public SparkSession spark() {
        return spark;
    }

    public HdfsCluster hdfs() {
        return hdfs;
    }

    public StandaloneCluster standalone() {
        return standalone;
    }

    public Path dir() {
        return dir;
    }

    /** Waits until the in-process application has {@code count} live executors. */
    public void awaitExecutors(int count, int seconds) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (liveExecutors() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + liveExecutors() + " of " + count + " executors after "
                        + seconds + " s; executor logs:\n" + standalone.executorLogTails(30));
            }
            Thread.sleep(200);
        }
    }

    /** Executors registered with the driver (the driver itself not counted). */
    public int liveExecutors() {
        return spark.sparkContext().statusTracker().getExecutorInfos().length - 1;
    }

    /** The executor JVMs of the in-process application. */
    public List<ProcessHandle> executors() throws IOException {
        String app = "--app-id " + spark.sparkContext().applicationId();
        return standalone.executors().stream()
                .filter(p -> StandaloneCluster.commandLine(p).contains(app))
                .toList();
    }

    /** A driver process started by {@link #launch}. */
    public record Launched(Process process, Path stdout, Path stderr) {
        public Result await(int minutes) throws IOException, InterruptedException {
            if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new IllegalStateException("driver did not finish in " + minutes + " min; stderr:\n"
                        + Files.readString(stderr, StandardCharsets.UTF_8));
            }
            return new Result(
                    process.exitValue(),
                    Files.readString(stdout, StandardCharsets.UTF_8),
                    Files.readString(stderr, StandardCharsets.UTF_8));
        }

        /** SIGKILLs the driver JVM (the launcher script execs java, so the process is the JVM itself). */
        public void killDriver() throws InterruptedException {
            StandaloneCluster.kill(process.toHandle());
        }
    }

    public record Result(int code, String stdout, String stderr) {}

    /**
     * Starts {@code deploy/bin/distillery <args>} as a separate driver JVM on this cluster: the Spark settings of
     * {@link #sparkConf()} travel as {@code -Dspark.*} system properties (DISTILLERY_JAVA_OPTS), job settings as
     * the caller's {@code --config}/{@code --set} arguments.
     */
    public Launched launch(Path workDir, String... args) throws IOException {
        Files.createDirectories(workDir);
        List<String> command = new ArrayList<>();
        command.add(ClusterPaths.ROOT.resolve("deploy/bin/distillery").toString());
        command.addAll(List.of(args));
        StringBuilder javaOpts = new StringBuilder("-Xmx1g");
        for (var e : sparkConf().entrySet()) {
            if (!e.getKey().equals("spark.executor.extraJavaOptions")) { // has spaces; Spark adds the same flags
                javaOpts.append(" -D").append(e.getKey()).append('=').append(e.getValue());
            }
        }
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().put("DISTILLERY_NO_BUILD", "1");
        pb.environment().put("DISTILLERY_BUILD_DIR", ClusterPaths.BUILD_DIR);
        pb.environment().put("DISTILLERY_JAVA_OPTS", javaOpts.toString());
        Path stdout = workDir.resolve("stdout.txt");
        Path stderr = workDir.resolve("stderr.txt");
        pb.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        return new Launched(pb.start(), stdout, stderr);
    }

    @Override
    public void close() throws IOException {
        long t0 = System.nanoTime();
        try {
            if (spark != null) {
                spark.stop();
            }
        } finally {
            double sparkDown = seconds(t0);
            try {
                standalone.close();
            } finally {
                double standaloneDown = seconds(t0);
                hdfs.close();
                System.out.printf(
                        "cluster down in %.1f s (application %.1f s, master + workers %.1f s)%n",
                        seconds(t0), sparkDown, standaloneDown);
            }
        }
    }
}
