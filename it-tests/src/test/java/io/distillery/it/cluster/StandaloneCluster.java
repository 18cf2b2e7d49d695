package io.distillery.it.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Spark standalone cluster on loopback: one Master and N Worker JVMs started by {@code deploy/bin/local-cluster}
 * from the build's own jars (no Spark download); each application gets executor JVMs started by the workers. The
 * cluster stops on {@link #close()}, from a JVM shutdown hook should a test run be cut short, and by the script's
 * watchdog ({@code --owner-pid}) should this JVM be killed outright.
 */
public final class StandaloneCluster implements AutoCloseable {
    /** The main class of an executor JVM, as it appears on its command line. */
    public static final String EXECUTOR_MAIN = "org.apache.spark.executor.CoarseGrainedExecutorBackend";

    private final Path dir;
    private final int workers;
    private final String masterUrl;
    private final Thread shutdownHook;

    private StandaloneCluster(Path dir, int workers, String masterUrl) {
        this.dir = dir;
        this.workers = workers;
        this.masterUrl = masterUrl;
        this.shutdownHook = new Thread(this::stopQuietly, "stop-local-cluster");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Begins starting the cluster in the background (the script returns once every worker has registered). */
    public static Starting start(Path dir, int workers, int coresPerWorker, String memoryPerWorker) throws IOException {
        Files.createDirectories(dir);
        Process script = script(
                dir,
                "start",
                "--workers",
                Integer.toString(workers),
                "--cores",
                Integer.toString(coresPerWorker),
                "--memory",
                memoryPerWorker,
                "--port",
                "0",
                "--webui-port",
                "0",
                // should this JVM die without running its shutdown hooks (SIGKILL, a fork timeout), the script's
                // watchdog still stops the daemons
                "--owner-pid",
                Long.toString(ProcessHandle.current().pid()));
        return new Starting(dir, workers, script);
    }

    /** A cluster being started; {@link #await()} waits for it. */
    public static final class Starting {
        private final Path dir;
        private final int workers;
        private final Process script;

        private Starting(Path dir, int workers, Process script) {
            this.dir = dir;
            this.workers = workers;
            this.script = script;
        }

        public StandaloneCluster await() throws IOException, InterruptedException {
            if (!script.waitFor(4, TimeUnit.MINUTES)) {
                script.destroyForcibly();
                run(dir, "stop");
                throw new IllegalStateException("local-cluster start did not finish in 4 minutes; logs in " + dir);
            }
            String output = Files.readString(dir.resolve("start.out"), StandardCharsets.UTF_8);
            if (script.exitValue() != 0) {
                throw new IllegalStateException(
                        "local-cluster start failed (exit " + script.exitValue() + "):\n" + output);
            }
            String url = Files.readString(dir.resolve("master.url"), StandardCharsets.UTF_8)
                    .strip();
            return new StandaloneCluster(dir, workers, url);
        }
    }

    private static Process script(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ClusterPaths.ROOT.resolve("deploy/bin/local-cluster").toString());
        command.addAll(List.of(args));
        command.add("--dir");
        command.add(dir.toString());
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(args[0] + ".out").toFile());
        pb.environment().put("DISTILLERY_BUILD_DIR", ClusterPaths.BUILD_DIR);
        return pb.start();
    }

    private static void run(Path dir, String action) throws IOException, InterruptedException {
        Process p = script(dir, action);
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
        }
    }

    /** {@code deploy/bin/local-cluster status}: exit code and output. */
    public DistilleryCluster.Result status() throws IOException, InterruptedException {
        Process p = script(dir, "status");
        if (!p.waitFor(1, TimeUnit.MINUTES)) {
            p.destroyForcibly();
        }
        return new DistilleryCluster.Result(p.exitValue(), Files.readString(dir.resolve("status.out")), "");
    }

    public String masterUrl() {
        return masterUrl;
    }

    public Path dir() {
        return dir;
    }

    public List<Long> workerPids() throws IOException {
        List<Long> pids = new ArrayList<>();
        for (int n = 1; n <= workers; n++) {
            pids.add(Long.parseLong(
                    Files.readString(dir.resolve("worker-" + n + ".pid")).strip()));
        }
        return pids;
    }

    /** The executor JVMs the workers are running now (children of the worker processes), oldest first. */
    public List<ProcessHandle> executors() throws IOException {
        List<ProcessHandle> executors = new ArrayList<>();
        for (long worker : workerPids()) {
            ProcessHandle.of(worker)
                    .ifPresent(w -> w.descendants()
                            .filter(p -> p.isAlive() && commandLine(p).contains(EXECUTOR_MAIN))
                            .forEach(executors::add));
        }
        executors.sort(Comparator.comparing(p -> p.info().startInstant().orElse(java.time.Instant.EPOCH)));
        return executors;
    }

    /** The executor id (Spark's {@code --executor-id}) of an executor JVM. */
    public static String executorId(ProcessHandle executor) {
        String[] args = commandLine(executor).split("\0| ");
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--executor-id")) {
                return args[i + 1];
            }
        }
        throw new IllegalStateException("no --executor-id in " + commandLine(executor));
    }

    /** The full command line, read from /proc (ProcessHandle.Info may cut long ones). */
    static String commandLine(ProcessHandle p) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline"), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException e) {
            return p.info().commandLine().orElse("");
        }
    }

    /** SIGKILLs one executor JVM (no shutdown hooks run, as when a machine dies) and waits until it is gone. */
    public static void kill(ProcessHandle executor) throws InterruptedException {
        executor.destroyForcibly();
        try {
            executor.onExit().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("executor " + executor.pid() + " did not die", e);
        }
    }

    /** Executor logs (stderr of every executor the workers started), newest last, for failure messages. */
    public String executorLogTails(int lines) throws IOException {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path stderr : files.filter(p -> p.getFileName().toString().equals("stderr"))
                    .sorted()
                    .toList()) {
                List<String> all = Files.readAllLines(stderr, StandardCharsets.UTF_8);
                out.append("== ").append(dir.relativize(stderr)).append('\n');
                all.subList(Math.max(0, all.size() - lines), all.size())
                        .forEach(l -> out.append(l).append('\n'));
            }
        }
        return out.toString();
    }

    private void stopQuietly() {
        try {
            run(dir, "stop");
        } catch (IOException | InterruptedException e) {
            System.err.println("could not stop the local cluster in " + dir + ": " + e);
        }
    }

    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
    }
}
