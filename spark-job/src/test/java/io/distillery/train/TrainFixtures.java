package io.distillery.train;

import io.distillery.config.JobConfigLoader;
import io.distillery.extract.ExtractJob;
import io.distillery.extract.ExtractSettings;
import io.distillery.extract.SparkTestSession;
import io.distillery.extract.TestInputs;
import io.distillery.npy.ParityFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/** A small real feature dataset (the parity teacher over generated WebDataset shards) and train settings for it. */
final class TrainFixtures {
    static final SparkSession SPARK = SparkTestSession.get();

    private TrainFixtures() {}

    /** 2 shards x 8 random images, eval view + 1 random view: 32 rows, fp16 ffn targets [16, 64]. */
    static Path extract(Path dir, String... extra) throws Exception {
        Path input = Files.createDirectories(dir.resolve("shards"));
        Files.write(input.resolve("s-000.tar"), TestInputs.webDatasetTar("a", 8, 1));
        Files.write(input.resolve("s-001.tar"), TestInputs.webDatasetTar("b", 8, 2));
        Path out = dir.resolve("features");
        List<String> o = new ArrayList<>(TestInputs.overrides(input, "webdataset", out, "views.random=1"));
        o.addAll(List.of(extra));
        var summary = ExtractJob.run(SPARK, ExtractSettings.from(JobConfigLoader.load(null, o, "distillery.extract")));
        if (!summary.ok()) {
            throw new IllegalStateException("fixture extract failed: " + summary);
        }
        return out;
    }

    /**
     * The parity teacher given a random 3-class classifier ({@code head.*}, {@code num_classes = 3}): what extract
     * needs to store teacher logits. Returns the overrides that make extract use it.
     */
    static List<String> classifierTeacher(Path dir) throws Exception {
        Path parity = ParityFiles.root().resolve("teacher_beitv2");
        Path config = dir.resolve("teacher-3-classes.json");
        Files.writeString(
                config,
                Files.readString(parity.resolve("config.json")).replace("\"num_classes\": 0", "\"num_classes\": 3"));
        var writer = new io.distillery.checkpoint.SafetensorsWriter();
        io.distillery.model.EncoderLoader.readTensors(parity.resolve("weights.safetensors"))
                .forEach((k, v) -> writer.addArray(k, v, io.distillery.checkpoint.DType.F32));
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(5);
        writer.addArray(
                "head.weight",
                org.nd4j.linalg.factory.Nd4j.randn(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 64)
                        .muli(0.5),
                io.distillery.checkpoint.DType.F32);
        writer.addArray(
                "head.bias",
                org.nd4j.linalg.factory.Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3),
                io.distillery.checkpoint.DType.F32);
        Path weights = dir.resolve("teacher-3-classes.safetensors");
        writer.write(weights);
        return List.of("teacher.model=\"" + config + "\"", "teacher.checkpoint=\"" + weights + "\"");
    }

    /** Settings for the parity-sized data2vec2 student (img 32, patch 8, dim 64) at {@code depth}. */
    static List<String> overrides(Path dataset, Path runDir, String... extra) {
        List<String> o = new ArrayList<>(List.of(
                "dataset=\"" + dataset + "\"",
                "run-dir=\"" + runDir + "\"",
                "student.model=\"" + ParityFiles.root().resolve("student_d2v2/config.json") + "\"",
                "student.depth=2",
                "optimizer.lr=2e-3",
                "optimizer.warmup-iterations=2",
                "optimizer.min-lr=1e-4",
                "iterations=16",
                "parameter-averaging.batch-size-per-worker=4",
                "parameter-averaging.averaging-frequency=2",
                "parameter-averaging.workers=2",
                "checkpoint.every=4",
                "checkpoint.keep=2"));
        o.addAll(List.of(extra));
        return o;
    }

    static TrainSettings settings(List<String> overrides) {
        return TrainSettings.from(JobConfigLoader.load(null, overrides, "distillery.train"), "distillery.train");
    }
}
