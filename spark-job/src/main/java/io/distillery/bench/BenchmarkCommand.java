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
        description = "Runs a benchmark and prints its table. Suites: extract (P1, P6).")
public final class BenchmarkCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "<suite>", description = "extract")
    String suite;

    @Option(names = "--images", defaultValue = "256", description = "Synthetic images (default ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--batch", defaultValue = "32", description = "Teacher batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--work", description = "Scratch folder (default: a new temp folder).")
    Path work;

    @Override
    public Integer call() throws Exception {
        if (!"extract".equals(suite)) {
            throw new IllegalArgumentException("unknown benchmark suite '" + suite + "' (known: extract)");
        }
        Path dir = work != null ? Files.createDirectories(work) : Files.createTempDirectory("distillery-bench");
        List<String> table = new ExtractBenchmark(dir, images, batch, ExtractBenchmark.defaultTeacher()).run();
        System.out.println();
        table.forEach(System.out::println);
        return 0;
    }
}
