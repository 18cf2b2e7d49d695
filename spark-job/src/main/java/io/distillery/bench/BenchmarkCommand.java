package io.distillery.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code distillery benchmark extract|train|engine|mask}: runs a suite and prints its table (docs/benchmarks.md). */
@Command(
        name = "benchmark",
        mixinStandardHelpOptions = true,
        description = "Runs a benchmark and prints its table. Suites: extract (P1, P6), train (P3, P4, P5), "
                + "engine (DL4J vs PyTorch eager per model and thread count), mask (M1, M2: the masked student).")
public final class BenchmarkCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "<suite>", description = "extract | train | engine | mask")
    String suite;

    @Option(names = "--images", defaultValue = "256", description = "Synthetic images (default ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--batch", defaultValue = "32", description = "Teacher batch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--python",
            defaultValue = "/usr/bin/python3",
            description = "Python with torch for the PyTorch references (default ${DEFAULT-VALUE}).")
    String python;

    @Option(
            names = "--rows",
            split = ",",
            description = "engine: rows to run (default all: beit-base, "
                    + "d2v-student-base, d2v-student-small, beit-small).")
    List<String> rows;

    @Option(
            names = "--threads",
            split = ",",
            defaultValue = "1,2",
            description = "engine: thread counts, one measurement per side each (default ${DEFAULT-VALUE}).")
    List<Integer> threads;

    @Option(names = "--iters", description = "engine: timed iterations per measurement (default 10, --quick 3).")
    Integer iterations;

    @Option(names = "--warmup", description = "engine: warm-up iterations per measurement (default 2, --quick 1).")
    Integer warmup;

    @Option(
            names = "--min-seconds",
            description = "engine: each measurement times iterations past --iters until "
                    + "this many seconds (default 10, --quick 3): the small rows' steps take a third of a second.")
    Double minSeconds;

    @Option(
            names = "--rounds",
            defaultValue = "1",
            description = "engine: measure each row and thread count this "
                    + "many times, alternating DL4J and PyTorch; the round with the median ratio is shown (default "
                    + "${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--quick", description = "engine: fewer iterations (3 timed, 1 warm-up, 3 s) unless given.")
    boolean quick;

    @Option(
            names = "--peak-gflops",
            defaultValue = "100",
            description = "engine: FLOP limit per thread in GFLOP/s (default ${DEFAULT-VALUE}, see the field notes).")
    double peakGflops;

    @Option(
            names = "--engine",
            description = "engine: passed to the DL4J child JVMs as -Ddistillery.engine "
                    + "(native | samediff); not passed when absent.")
    String engine;

    @Option(
            names = "--rss-images",
            defaultValue = "32",
            description = "engine: images of the extract peak-RSS run "
                    + "(BEiT v2 base, batch 32, teacher.copies=2, local[2]); 0 skips it (default ${DEFAULT-VALUE}).")
    int rssImages;

    @Option(
            names = "--clones",
            defaultValue = "4",
            description = "mask: masks per row K of M2 (K clones x 1 epoch vs 1 clone x K epochs; default "
                    + "${DEFAULT-VALUE}).")
    int clones;

    @Option(
            names = "--models",
            split = ",",
            defaultValue = "small,base",
            description = "mask: M1's students (default ${DEFAULT-VALUE}: P3's img 64 student, batch 32; the "
                    + "engine suite's 6-block data2vec 2.0 base, batch 8).")
    List<String> maskModels;

    @Option(names = "--work", description = "Scratch folder (default: a new temp folder).")
    Path work;

    @Override
    public Integer call() throws Exception {
        // checked before any scratch folder exists: a bad argument must leave nothing behind
        if (!List.of("extract", "train", "engine", "mask").contains(suite)) {
            throw new IllegalArgumentException(
                    "unknown benchmark suite '" + suite + "' (known: extract, train, engine, mask)");
        }
        if (suite.equals("mask")) {
            if (clones < 1) {
                throw new IllegalArgumentException("--clones must be >= 1, got " + clones);
            }
            maskModels.forEach(MaskBenchmark::stepRow); // an unknown name fails here, before any work
        }
        if (images < 1) {
            throw new IllegalArgumentException("--images must be >= 1, got " + images);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
        }
        EngineBenchmark.Options engineOptions = suite.equals("engine") ? engineOptions() : null;
        // the engine suite keeps its folder: the table ends with the path of the children's logs
        boolean scratch = work == null && !suite.equals("engine");
        Path dir = work == null ? Files.createTempDirectory("distillery-bench") : Files.createDirectories(work);
        try {
            List<String> table = switch (suite) {
                case "extract" -> new ExtractBenchmark(dir, images, batch, ExtractBenchmark.defaultTeacher()).run();
                case "train" -> new TrainBenchmark(dir, images, batch, python).run();
                case "mask" -> new MaskBenchmark(dir, images, clones, maskModels).run();
                default -> new EngineBenchmark(dir, engineOptions).run();
            };
            System.out.println();
            table.forEach(System.out::println);
        } finally {
            if (scratch) {
                deleteTree(dir);
            }
        }
        return 0;
    }

    private EngineBenchmark.Options engineOptions() {
        List<EngineRow> chosen = rows == null
                ? List.of(EngineRow.values())
                : rows.stream().map(EngineRow::fromId).toList();
        if (threads.stream().anyMatch(t -> t < 1)) {
            throw new IllegalArgumentException("--threads must be positive, got " + threads);
        }
        int iters = iterations != null ? iterations : quick ? 3 : 10;
        int warm = warmup != null ? warmup : quick ? 1 : 2;
        double seconds = minSeconds != null ? minSeconds : quick ? 3 : 10;
        if (iters < 1 || warm < 0 || !(peakGflops > 0) || !(seconds >= 0) || rounds < 1) {
            throw new IllegalArgumentException(
                    "need --iters >= 1, --warmup >= 0, --min-seconds >= 0, --rounds >= 1, " + "--peak-gflops > 0");
        }
        return new EngineBenchmark.Options(
                chosen, threads, iters, warm, seconds, rounds, peakGflops, python, engine, rssImages, 32, 2);
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
