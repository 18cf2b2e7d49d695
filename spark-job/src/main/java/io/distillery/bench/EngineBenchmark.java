package io.distillery.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Engine speed: for each row and thread count, the DL4J teacher pass or student train step (a child JVM per
 * measurement, started with that thread count) against the same model in PyTorch eager
 * ({@code bench/torch_engine.py}, same thread variables plus {@code torch.set_num_threads}), each as images/s, their
 * ratio and the fraction of the FLOP limit; then the peak RSS of an extract executor running BEiT v2 base.
 * Run: {@code deploy/bin/distillery benchmark engine}.
 */
public final class EngineBenchmark {
    /**
     * @param engine passed to the DL4J children as {@code -Ddistillery.engine}; null: not passed
     * @param rssImages images of the extract RSS run; 0 skips it
     */
    public record Options(
            List<EngineRow> rows,
            List<Integer> threads,
            int iterations,
            int warmup,
            double minSeconds,
            int rounds,
            double peakGflops,
            String python,
            String engine,
            int rssImages,
            int rssBatch,
            int rssCopies) {}

    private final Path work;
    private final Options options;

    public EngineBenchmark(Path work, Options options) {
        this.work = work;
        this.options = options;
    }

    public List<String> run() throws IOException, InterruptedException {
        String loadBefore = loadAverage();
        EngineTable table = new EngineTable(options.peakGflops());
        Map<String, Double> gemm = new TreeMap<>();
        String torchNote = null;
        List<String> roundNotes = new ArrayList<>();
        for (EngineRow row : options.rows()) {
            for (int threads : options.threads()) {
                List<JsonNode[]> pairs = new ArrayList<>();
                for (int round = 0; round < options.rounds(); round++) {
                    JsonNode dl4j = dl4j(row, threads);
                    JsonNode torch = null;
                    if (torchNote == null) {
                        try {
                            torch = torch(row, threads);
                        } catch (IOException e) {
                            torchNote = "PyTorch n/a: "
                                    + e.getMessage().lines().findFirst().orElse("")
                                    + " (needs python3-torch and libopenblas0-pthread, see docs/benchmarks.md)";
                        }
                    }
                    pairs.add(new JsonNode[] {dl4j, torch});
                    if (torch != null) {
                        gemm.merge(
                                "torch " + threads + ", OpenBLAS "
                                        + torch.path("blas_threads").asInt(),
                                torch.path("gemm_gflops").asDouble(),
                                Math::max);
                    }
                }
                JsonNode[] shown = medianRound(pairs);
                table.add(row, threads, shown[0], shown[1]);
                if (pairs.size() > 1) {
                    roundNotes.add(row.id() + " at " + threads + " thread(s): ratios per round "
                            + pairs.stream()
                                    .map(p -> String.format(Locale.ROOT, "%.2f", ratio(p)))
                                    .collect(java.util.stream.Collectors.joining(", ")));
                }
                System.err.println("engine benchmark: " + table.lastLine());
            }
        }
        List<String> lines = new ArrayList<>();
        lines.add(String.format(
                Locale.ROOT,
                "engine benchmark; %d cores; load average %s before, %s after; median "
                        + "of >= %d timed iterations and >= %.0f s after %d warm-up; %d round(s) per row, DL4J and "
                        + "PyTorch alternating, the median-ratio round shown; FLOP limit %.0f GFLOP/s per thread; "
                        + "DL4J engine property: %s",
                Runtime.getRuntime().availableProcessors(),
                loadBefore,
                loadAverage(),
                options.iterations(),
                options.minSeconds(),
                options.warmup(),
                options.rounds(),
                options.peakGflops(),
                options.engine() == null ? "(not set)" : options.engine()));
        lines.add("threads n: DL4J in a child JVM with OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=MKL_NUM_THREADS=n and "
                + "OMP_WAIT_POLICY=PASSIVE, for n > 1 also with OMP_NUM_THREADS=1; PyTorch eager with the same "
                + "variables and torch.set_num_threads(n), for n > 1 also with OPENBLAS_NUM_THREADS=1; each side's "
                + "faster setting shown (the threads column states them)");
        lines.add("ratio: DL4J images/s / PyTorch images/s; % limit: achieved FLOP/s / (n x limit); "
                + "peak RSS: the measuring process's VmHWM / ru_maxrss");
        lines.addAll(table.lines());
        lines.addAll(roundNotes);
        if (torchNote != null) {
            lines.add(torchNote);
        }
        gemm.forEach((setting, gflops) -> lines.add(String.format(
                Locale.ROOT,
                "BLAS check: PyTorch 1024^3 sgemm, %s " + "thread(s), best after the measurements shown: %.0f GFLOP/s",
                setting,
                gflops)));
        if (options.rssImages() > 0) {
            lines.add(extractRss());
        }
        lines.add("logs: " + work.resolve("logs"));
        return lines;
    }

    /** The round whose DL4J / PyTorch ratio is the median (the lower one for an even count); without PyTorch, the first. */
    static JsonNode[] medianRound(List<JsonNode[]> pairs) {
        if (pairs.stream().anyMatch(p -> p[1] == null)) {
            return pairs.get(0);
        }
        List<JsonNode[]> sorted = new ArrayList<>(pairs);
        sorted.sort(java.util.Comparator.comparingDouble(EngineBenchmark::ratio));
        return sorted.get((sorted.size() - 1) / 2);
    }

    private static double ratio(JsonNode[] pair) {
        return pair[1] == null
                ? Double.NaN
                : pair[0].path("images_per_second").asDouble()
                        / pair[1].path("images_per_second").asDouble();
    }

    /**
     * DL4J at its best setting for {@code threads}: for more than one thread, ND4J's OpenMP pool on n threads (with
     * OMP_WAIT_POLICY=PASSIVE: its spinning idle threads otherwise take the cores from the Java loops, 2.5x slower
     * on the small teacher) and ND4J on one thread with OpenBLAS on n; the faster one, {@code blas_threads} and
     * {@code nd4j_max_threads} recording which.
     */
    private JsonNode dl4j(EngineRow row, int threads) throws IOException, InterruptedException {
        JsonNode best = dl4j(row, threads, threads);
        if (threads > 1) {
            JsonNode oneOmp = dl4j(row, 1, threads);
            if (oneOmp.path("images_per_second").asDouble()
                    > best.path("images_per_second").asDouble()) {
                best = oneOmp;
            }
        }
        return best;
    }

    private JsonNode dl4j(EngineRow row, int ompThreads, int blasThreads) throws IOException, InterruptedException {
        List<String> command = ChildProcess.java(
                EngineProbe.class,
                engineFlags(),
                row.id(),
                "" + options.iterations(),
                "" + options.warmup(),
                "" + options.minSeconds());
        Map<String, String> env = new java.util.HashMap<>(ChildProcess.threadEnv(blasThreads));
        env.put("OMP_NUM_THREADS", Integer.toString(ompThreads));
        env.put("OMP_WAIT_POLICY", "PASSIVE");
        JsonNode result =
                ChildProcess.run(command, env, log("dl4j-" + row.id() + "-omp" + ompThreads + "-blas" + blasThreads));
        if (result.path("nd4j_max_threads").asInt() != ompThreads) {
            throw new IllegalStateException("the DL4J child ran "
                    + result.path("nd4j_max_threads").asInt() + " ND4J threads instead of " + ompThreads);
        }
        ((com.fasterxml.jackson.databind.node.ObjectNode) result).put("blas_threads", blasThreads);
        return result;
    }

    /**
     * PyTorch at its best setting for {@code threads}: for more than one thread, torch's pool with OpenBLAS on as
     * many threads and on one thread (Debian's pthread OpenBLAS next to torch's OpenMP pool can oversubscribe the
     * cores, see the field notes); the faster one, with {@code blas_threads} recording which.
     */
    private JsonNode torch(EngineRow row, int threads) throws IOException, InterruptedException {
        JsonNode best = torch(row, threads, threads);
        if (threads > 1) {
            JsonNode oneBlas = torch(row, threads, 1);
            if (oneBlas.path("images_per_second").asDouble()
                    > best.path("images_per_second").asDouble()) {
                best = oneBlas;
            }
        }
        return best;
    }

    private JsonNode torch(EngineRow row, int threads, int blasThreads) throws IOException, InterruptedException {
        Path script = Path.of(System.getProperty("distillery.root", "."), "bench", "torch_engine.py");
        if (!Files.isRegularFile(script)) {
            throw new IOException(script + " not found (set -Ddistillery.root to the project folder)");
        }
        List<String> command = new ArrayList<>(List.of(options.python(), script.toString()));
        command.addAll(List.of(row.torchArgs()));
        command.addAll(List.of(
                "--threads",
                "" + threads,
                "--iters",
                "" + options.iterations(),
                "--warmup",
                "" + options.warmup(),
                "--min-seconds",
                "" + options.minSeconds()));
        Map<String, String> env = new java.util.HashMap<>(ChildProcess.threadEnv(threads));
        env.put("OPENBLAS_NUM_THREADS", Integer.toString(blasThreads));
        JsonNode result =
                ChildProcess.run(command, env, log("torch-" + row.id() + "-t" + threads + "-blas" + blasThreads));
        ((com.fasterxml.jackson.databind.node.ObjectNode) result).put("blas_threads", blasThreads);
        return result;
    }

    /** Peak RSS of a child JVM extracting with BEiT v2 base on local[2] (its OMP_NUM_THREADS=1, as the launcher's). */
    private String extractRss() throws IOException, InterruptedException {
        Path dir = work.resolve("extract-rss");
        String[] args = {dir.toString(), "" + options.rssImages(), "" + options.rssBatch(), "" + options.rssCopies()};
        Map<String, String> env = ChildProcess.threadEnv(1);
        ChildProcess.run(
                ChildProcess.java(ExtractRssProbe.class, List.of(), prepend("prepare", args)),
                env,
                log("extract-rss-prepare"));
        JsonNode r = ChildProcess.run(
                ChildProcess.java(ExtractRssProbe.class, engineFlags(), prepend("extract", args)),
                env,
                log("extract-rss"));
        return String.format(
                Locale.ROOT,
                "extract executor peak RSS (VmHWM): %.0f MiB — BEiT v2 base, batch %d, "
                        + "teacher.copies=%d, Spark local[2], %d images -> %d rows in %.1f s, max heap %d MiB",
                r.path("vm_hwm_kib").asDouble() / 1024,
                options.rssBatch(),
                options.rssCopies(),
                options.rssImages(),
                r.path("rows").asLong(),
                r.path("seconds").asDouble(),
                r.path("max_heap_mib").asLong());
    }

    private List<String> engineFlags() {
        return options.engine() == null ? List.of() : List.of("-Ddistillery.engine=" + options.engine());
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    /** The 1-minute load average: whatever else runs on the cores shows in every figure. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "n/a";
        }
    }

    private Path log(String name) {
        return work.resolve("logs").resolve(name + ".log");
    }
}
