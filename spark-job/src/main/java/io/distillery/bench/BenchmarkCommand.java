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
        Path dir = work != null ? Files.createDirectories(work) : Files.createTempDirectory("distillery-bench");
        List<String> table = switch (suite) {
            case "extract" -> new ExtractBenchmark(dir, images, batch, ExtractBenchmark.defaultTeacher()).run();
            case "train" -> new TrainBenchmark(dir, images, batch, python).run();
            default -> throw new IllegalArgumentException("unknown benchmark suite '" + suite
                    + "' (known: extract, train)");
        };
        System.out.println();
        table.forEach(System.out::println);
        return 0;
    }
}
