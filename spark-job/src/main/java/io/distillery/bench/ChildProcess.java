package io.distillery.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a measuring child process (a JVM or Python) with a given environment, logs its output to a file and
 * returns the JSON object on its last JSON line.
 */
final class ChildProcess {
    private ChildProcess() {}

    /**
     * {@code java} with this JVM's own flags (deploy/jvm.args, -Xmx, logging) and class path, running
     * {@code mainClass}, plus {@code extraFlags} before the class.
     */
    static List<String> java(Class<?> mainClass, List<String> extraFlags, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!flag.startsWith("-agentlib:jdwp") && !flag.startsWith("-Ddistillery.engine=")) {
                command.add(flag);
            }
        }
        command.addAll(extraFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return command;
    }

    /** The environment that holds every thread pool of a child to {@code threads}: OpenMP, OpenBLAS, MKL. */
    static Map<String, String> threadEnv(int threads) {
        String n = Integer.toString(threads);
        return Map.of("OMP_NUM_THREADS", n, "OPENBLAS_NUM_THREADS", n, "MKL_NUM_THREADS", n);
    }

    /** Runs {@code command}, its stdout and stderr going to {@code log}; the last line that is a JSON object. */
    static JsonNode run(List<String> command, Map<String, String> env, Path log)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(Files.createDirectories(log.getParent())
                        .resolve(log.getFileName())
                        .toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        int exit;
        try {
            exit = p.waitFor();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            throw e;
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        String json = null;
        for (String line : lines) {
            if (line.startsWith("{") && line.endsWith("}")) {
                json = line;
            }
        }
        if (exit != 0 || json == null) {
            String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
            throw new IOException("child process " + log.getFileName() + " exited with " + exit
                    + (json == null ? " and printed no JSON line" : "") + "; last lines of " + log
                    + ":\n" + tail);
        }
        return new ObjectMapper().readTree(json);
    }
}
