package io.distillery.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The Markdown table of {@code distillery benchmark engine}: one line per (row, threads). */
final class EngineTable {
    private final double peakGflops;
    private final List<String> lines = new ArrayList<>();

    EngineTable(double peakGflops) {
        this.peakGflops = peakGflops;
        lines.add("| row | size | batch | threads | DL4J img/s | PyTorch img/s | ratio | goal | GFLOP/img "
                + "| DL4J % of FLOP limit | PyTorch % of FLOP limit | DL4J peak RSS | PyTorch peak RSS |");
        lines.add("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    }

    /** @param torch PyTorch's result, or null when it could not run */
    void add(EngineRow row, int threads, JsonNode dl4j, JsonNode torch) {
        long flops = row.flopsPerImage();
        double ours = dl4j.path("images_per_second").asDouble();
        String theirs = "n/a";
        String ratio = "n/a";
        String theirFraction = "n/a";
        String theirRss = "n/a";
        if (torch != null) {
            double rate = torch.path("images_per_second").asDouble();
            theirs = String.format(Locale.ROOT, "%.2f", rate);
            double r = ours / rate;
            ratio = String.format(Locale.ROOT, "**%.2f**%s", r, r >= row.goal() ? "" : " (below)");
            theirFraction = percent(EngineFlops.fractionOfLimit(flops, rate, peakGflops, threads));
            theirRss = mib(torch.path("max_rss_kib").asLong(-1));
        }
        lines.add(String.format(
                Locale.ROOT,
                "| %s %s | %s | %d | %s | %.2f | %s | %s | ≥ %.1f | %.2f | %s | %s | %s | %s |",
                row.id(),
                row.train() ? "train step" : "forward + targets",
                row.size(),
                row.batch(),
                setting(threads, dl4j, torch),
                ours,
                theirs,
                ratio,
                row.goal(),
                flops / 1e9,
                percent(EngineFlops.fractionOfLimit(flops, ours, peakGflops, threads)),
                theirFraction,
                mib(dl4j.path("vm_hwm_kib").asLong(-1)),
                theirRss));
    }

    /** "1", or for more threads each side's setting: "2 (DL4J OMP 1, OpenBLAS 2; torch 2, OpenBLAS 1)". */
    private static String setting(int threads, JsonNode dl4j, JsonNode torch) {
        if (threads == 1) {
            return "1";
        }
        return String.format(
                Locale.ROOT,
                "%d (DL4J OMP %d, OpenBLAS %d; torch %s)",
                threads,
                dl4j.path("nd4j_max_threads").asInt(),
                dl4j.path("blas_threads").asInt(threads),
                torch == null
                        ? "n/a"
                        : torch.path("torch_threads").asInt() + ", OpenBLAS "
                                + torch.path("blas_threads").asInt());
    }

    String lastLine() {
        return lines.get(lines.size() - 1);
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f %%", 100 * fraction);
    }

    private static String mib(long kib) {
        return kib < 0 ? "n/a" : String.format(Locale.ROOT, "%d MiB", kib / 1024);
    }
}
