package io.distillery.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.it.cluster.ClusterPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spark-submit side of deploy/: the job jar's content, and the command lines the templates build (printed
 * with DRY_RUN=1; ExtractClusterIT runs the standalone template for real).
 */
class DeployTemplatesIT {
    static Path jobJar() throws IOException {
        Path dir = ClusterPaths.ROOT.resolve("spark-job").resolve(ClusterPaths.BUILD_DIR);
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("distillery-spark-job-.*-job\\.jar"))
                    .findFirst()
                    .orElse(null);
        }
    }

    @Test
    void theJobJarHoldsDistilleryAndDl4jButNotWhatSparkProvides() throws Exception {
        Path jar = jobJar();
        Assumptions.assumeTrue(jar != null, "no -job.jar (built with -Ddistillery.skipJobJar=true)");
        List<String> natives = new ArrayList<>();
        try (JarFile jf = new JarFile(jar.toFile())) {
            assertThat(jf.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("io.distillery.cli.DistilleryCli");
            for (String present : new String[] {
                "io/distillery/cli/DistilleryCli.class",
                "io/distillery/extract/ExtractJob.class",
                "io/distillery/model/Encoder.class",
                "reference.conf",
                "org/deeplearning4j/spark/impl/graph/SparkComputationGraph.class",
                "org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64/libnd4jcpu.so",
                "META-INF/services/org.nd4j.linalg.factory.Nd4jBackend"
            }) {
                assertThat(jf.getEntry(present)).as(present).isNotNull();
            }
            assertThat(new String(
                            jf.getInputStream(jf.getEntry("META-INF/services/org.nd4j.linalg.factory.Nd4jBackend"))
                                    .readAllBytes(),
                            StandardCharsets.UTF_8))
                    .contains("org.nd4j.linalg.cpu.nativecpu.CpuBackend");
            assertThat(new String(
                            jf.getInputStream(jf.getEntry("reference.conf")).readAllBytes(), StandardCharsets.UTF_8))
                    .contains("distillery.extract");
            Enumeration<JarEntry> entries = jf.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (name.equals("org/apache/spark/") || name.startsWith("org/apache/spark/TaskContextHelper")) {
                    continue; // dl4j-spark's own helper in Spark's package
                }
                assertThat(name)
                        .as("provided by Spark")
                        .doesNotStartWith("org/apache/spark/")
                        .doesNotStartWith("scala/")
                        .doesNotStartWith("org/apache/hadoop/")
                        .doesNotStartWith("org/apache/logging/log4j/")
                        .doesNotStartWith("org/slf4j/")
                        .doesNotStartWith("org/apache/parquet/")
                        .doesNotStartWith("com/fasterxml/jackson/core/");
                if (name.matches(".*\\.(so|dll|dylib|jnilib|a)(\\.[0-9]+)*$")) {
                    natives.add(name);
                }
            }
        }
        assertThat(natives)
                .isNotEmpty()
                .allMatch(n -> n.contains("linux-x86_64/") || n.contains("linux-x86-64/"), "linux-x86_64 natives only");
    }

    private static List<String> dryRun(Path dir, List<String> env, String... command) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ClusterPaths.ROOT.resolve(command[0]).toString());
        cmd.addAll(List.of(command).subList(1, command.length));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("DRY_RUN", "1");
        pb.environment().put("SPARK_SUBMIT", "spark-submit");
        pb.environment().put("DISTILLERY_BUILD_DIR", ClusterPaths.BUILD_DIR);
        pb.environment().put("JOB_JAR", "/opt/job.jar");
        for (String kv : env) {
            pb.environment().put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out.lines().toList();
    }

    /** The value of every {@code --conf key=value} argument. */
    private static List<String> confs(List<String> args) {
        List<String> confs = new ArrayList<>();
        for (int i = 0; i + 1 < args.size(); i++) {
            if (args.get(i).equals("--conf")) {
                confs.add(args.get(i + 1));
            }
        }
        return confs;
    }

    /** @param threadsPerTask OpenMP threads per task; the executor's cores are shared by its tasks, never oversubscribed */
    private static void assertCommon(List<String> args, int threadsPerTask) throws IOException {
        List<String> confs = confs(args);
        assertThat(confs)
                .as("spark-submit drops every --conf key outside spark.*")
                .allMatch(c -> c.startsWith("spark."));
        String flags = String.join(" ", ClusterPaths.jvmArgs());
        assertThat(confs)
                .contains("spark.driver.extraJavaOptions=" + flags)
                .anyMatch(c ->
                        c.startsWith("spark.executor.extraJavaOptions=" + flags + " -Dorg.bytedeco.javacpp.maxbytes="))
                .contains(
                        "spark.executorEnv.OMP_NUM_THREADS=" + threadsPerTask,
                        "spark.task.cpus=" + threadsPerTask,
                        "spark.executorEnv.OMP_WAIT_POLICY=PASSIVE");
        assertThat(args).contains("io.distillery.cli.DistilleryCli");
        // Distillery's settings reach the main class unchanged, after the jar
        int extract = args.indexOf("extract");
        assertThat(extract).isPositive();
        assertThat(args.subList(extract, args.size()))
                .containsSubsequence("--config", "--set", "output.path=\"hdfs:///features/x\"");
    }

    @Test
    void yarnTemplateSizesContainersForNd4jOffHeapMemory(@TempDir Path dir) throws Exception {
        Path conf = Files.writeString(dir.resolve("job.conf"), "distillery.extract {}\n");
        List<String> args = dryRun(
                dir,
                List.of("EXECUTOR_CORES=6", "THREADS_PER_TASK=2", "EXECUTOR_MEMORY_GB=12", "ND4J_OFFHEAP_GB=10"),
                "deploy/spark-submit/yarn.sh",
                conf.toString(),
                "--set",
                "output.path=\"hdfs:///features/x\"");
        assertCommon(args, 2); // 6 cores: 3 tasks of 2 threads
        assertThat(args).containsSubsequence("--master", "yarn", "--deploy-mode", "cluster");
        assertThat(args)
                .containsSubsequence("--files", conf.toString(), "/opt/job.jar", "extract", "--config", "job.conf");
        List<String> confs = confs(args);
        // container = heap 12 + overhead (off-heap 10 + 2) = 24 GiB; JavaCPP's process limit 23 GiB stays below it
        assertThat(confs)
                .contains(
                        "spark.executor.memory=12g",
                        "spark.executor.memoryOverhead=12g",
                        "spark.executor.cores=6",
                        "spark.yarn.appMasterEnv.OMP_NUM_THREADS=6");
        assertThat(confs)
                .anyMatch(c ->
                        c.endsWith("-Dorg.bytedeco.javacpp.maxbytes=10G -Dorg.bytedeco.javacpp.maxphysicalbytes=23G"));
        assertThat(confs).noneMatch(c -> c.startsWith("spark.authenticate"));
    }

    @Test
    void kubernetesTemplateUsesTheImageJarAndCanTurnOnSecurity(@TempDir Path dir) throws Exception {
        Path conf = Files.writeString(dir.resolve("job.conf"), "distillery.extract {}\n");
        List<String> args = dryRun(
                dir,
                List.of(
                        "DISTILLERY_IMAGE=registry/distillery:1",
                        "UPLOAD_PATH=s3a://b/up",
                        "DISTILLERY_SECURE=1",
                        "EXECUTOR_CORES=2"),
                "deploy/spark-submit/kubernetes.sh",
                "k8s://https://api:6443",
                conf.toString(),
                "extract",
                "--set",
                "output.path=\"hdfs:///features/x\"");
        assertCommon(args, 1);
        assertThat(args).containsSubsequence("--master", "k8s://https://api:6443", "--deploy-mode", "cluster");
        assertThat(confs(args))
                .contains(
                        "spark.kubernetes.container.image=registry/distillery:1",
                        "spark.kubernetes.file.upload.path=s3a://b/up",
                        "spark.kubernetes.driverEnv.OMP_NUM_THREADS=2",
                        "spark.authenticate=true",
                        "spark.network.crypto.enabled=true",
                        "spark.io.encryption.enabled=true");
        assertThat(args).anyMatch(a -> a.matches("local:///opt/distillery/distillery-spark-job-.*-job\\.jar"));
    }

    @Test
    void standaloneTemplateRunsInClientMode(@TempDir Path dir) throws Exception {
        Path conf = Files.writeString(dir.resolve("job.conf"), "distillery.extract {}\n");
        List<String> args = dryRun(
                dir,
                List.of(),
                "deploy/spark-submit/standalone.sh",
                "spark://m:7077",
                conf.toString(),
                "--set",
                "output.path=\"hdfs:///features/x\"");
        assertCommon(args, 1);
        assertThat(args).containsSubsequence("--master", "spark://m:7077", "--deploy-mode", "client");
        assertThat(args).containsSubsequence("/opt/job.jar", "extract", "--config", conf.toString());
    }
}
