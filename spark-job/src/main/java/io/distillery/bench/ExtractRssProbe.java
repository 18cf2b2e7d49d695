package io.distillery.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.extract.ExtractSummary;
import io.distillery.model.ModelConfigs;
import io.distillery.spark.SparkSessions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The peak memory of an extract executor running BEiT v2 base: in a child JVM of {@code distillery benchmark
 * engine}, a random BEiT v2 base teacher extracts synthetic images (eval view + 1 random view each, so every shard
 * fills whole batches) on Spark {@code local[2]} with the given batch and {@code teacher.copies}; the JVM then
 * prints its own VmHWM (local mode: driver and executor are this one process). The images and the teacher checkpoint
 * are made beforehand by a separate {@code prepare} run, so that building and exporting the random teacher does not
 * count. Prints one JSON line last.
 * Usage: {@code ExtractRssProbe prepare|extract <work dir> <images> <batch> <teacher copies>}.
 */
public final class ExtractRssProbe {
    private static final int SLOTS = 2;

    private ExtractRssProbe() {}

    public static void main(String[] args) throws Exception {
        boolean prepare = args[0].equals("prepare");
        Path work = Files.createDirectories(Path.of(args[1]));
        int images = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        int copies = Integer.parseInt(args[4]);
        ExtractBenchmark extract =
                new ExtractBenchmark(work, images, batch, ModelConfigs.presets().get("beitv2_base_patch16_224"));
        Path input = work.resolve("images");
        Path teacher = work.resolve("teacher");
        if (prepare) {
            extract.syntheticImages(input);
            extract.randomTeacher(teacher);
            System.out.println("{\"prepared\": true}");
            return;
        }
        ExtractSummary summary;
        try (SparkSession spark = SparkSessions.getOrCreate("local[" + SLOTS + "]", "distillery-engine-rss")) {
            // one shard per slot, so both slots run a replica at once
            summary = extract.extract(
                    spark,
                    input,
                    teacher,
                    work.resolve("features"),
                    "fp16",
                    false,
                    copies,
                    Math.max(1, images / SLOTS));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rows", summary.rows());
        out.put("seconds", summary.seconds());
        out.put("vm_hwm_kib", ProcStatus.peakRssKib());
        out.put("max_heap_mib", Runtime.getRuntime().maxMemory() >> 20);
        System.out.println(new ObjectMapper().writeValueAsString(out));
    }
}
