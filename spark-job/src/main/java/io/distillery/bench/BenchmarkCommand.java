package io.distillery.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code distillery benchmark extract}: prints the P1/P6 table (see docs/benchmarks.md). */
@Command(name = "benchmark", mixinStandardHelpOptions = true,
        description = "Runs a benchmark and prints its table. Suites: extract (P1, P6), train (P3, P4, P5).")
public final class BenchmarkCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "<suite>", description = "extract | train")
    String suite;

    @Option(names = "--images", defaultValue = "256", description = "Synthetic images (default ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--batch", defaultValue = "32", description = "Teacher batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--python", defaultValue = "/usr/bin/python3",
            description = "Python with torch for the P3 reference (default ${DEFAULT-VALUE}).")
    String python;

    @Option(names = "--work", description = "Scratch folder (default: a new temp folder).")
    Path work;

    @Override
    public Integer call() throws Exception {
        // checked before any scratch folder exists: a bad argument must leave nothing behind
        if (!suite.equals("extract") && !suite.equals("train")) {
            throw new IllegalArgumentException("unknown benchmark suite '" + suite + "' (known: extract, train)");
        }
        if (images < 1) {
            throw new IllegalArgumentException("--images must be >= 1, got " + images);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        }
        boolean scratch = work == null;
        Path dir = scratch ? Files.createTempDirectory("distillery-bench") : Files.createDirectories(work);
        try {
            List<String> table = suite.equals("extract")
                    ? new ExtractBenchmark(dir, images, batch, ExtractBenchmark.defaultTeacher()).run()
                    : new TrainBenchmark(dir, images, batch, python).run();
            System.out.println();
            table.forEach(System.out::println);
        } finally {
            if (scratch) {
                deleteTree(dir);
            }
        }
        return 0;
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
