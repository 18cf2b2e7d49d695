package io.distillery.train;

import static io.distillery.train.TrainFixtures.SPARK;
import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.config.JobConfigLoader;
import io.distillery.model.EncoderLoader;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelConfigs;
import io.distillery.npy.ParityFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** finetune on labelled image shards: an easy 2-class problem is learned and the exported head predicts it. */
class FinetuneJobTest {

    /** Class 0: dark images, class 1: bright images (noisy), as a WebDataset shard. */
    private static void shard(Path file, int samples, long seed) throws Exception {
        Random random = new Random(seed);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            for (int i = 0; i < samples; i++) {
                int label = i % 2;
                BufferedImage image = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        int v = Math.max(0, Math.min(255, (label == 0 ? 60 : 190) + (int) (random.nextGaussian() * 40)));
                        image.setRGB(x, y, v << 16 | v << 8 | v);
                    }
                }
                ByteArrayOutputStream png = new ByteArrayOutputStream();
                ImageIO.write(image, "png", png);
                put(tar, String.format("k%04d.png", i), png.toByteArray());
                put(tar, String.format("k%04d.cls", i), Integer.toString(label).getBytes());
            }
        }
        Files.write(file, bytes.toByteArray());
    }

    private static void put(TarArchiveOutputStream tar, String name, byte[] data) throws Exception {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    @Test
    void learnsAnEasyTaskAndExportsATimmCheckpointWithItsHead(@TempDir Path dir) throws Exception {
        Path train = Files.createDirectories(dir.resolve("train"));
        shard(train.resolve("t-000.tar"), 24, 1);
        Path test = Files.createDirectories(dir.resolve("test"));
        shard(test.resolve("e-000.tar"), 16, 2);
        Path run = dir.resolve("run");
        List<String> o = new ArrayList<>(List.of(
                "images.path=\"" + train + "\"", "eval-images.path=\"" + test + "\"", "num-classes=2",
                "run-dir=\"" + run + "\"",
                "student.model=\"" + ParityFiles.root().resolve("teacher_beitv2/config.json") + "\"",
                "student.depth=1", "optimizer.lr=2e-3", "optimizer.warmup-iterations=2", "iterations=12",
                "parameter-averaging.batch-size-per-worker=8", "parameter-averaging.averaging-frequency=2",
                "parameter-averaging.workers=2", "checkpoint.every=100"));
        FinetuneSettings settings = FinetuneSettings.from(JobConfigLoader.load(null, o, FinetuneSettings.SECTION));
        FinetuneJob.Summary summary = FinetuneJob.run(SPARK, settings, false);

        assertThat(summary.iteration()).isEqualTo(12);
        assertThat(summary.evaluatedRows()).isEqualTo(16);
        assertThat(summary.accuracy()).as(summary.toString()).isGreaterThanOrEqualTo(0.9);
        assertThat(summary.finalLoss()).isLessThan(summary.firstLoss());
        ModelConfig config = ModelConfigs.fromJson(run.resolve("model/config.json"));
        assertThat(config.numClasses()).isEqualTo(2);
        assertThat(EncoderLoader.load(config, run.resolve("model/model.safetensors")).head().classifierWeight().shape())
                .containsExactly(2, 64);
        assertThat(Files.readAllLines(run.resolve("metrics.jsonl"))).hasSize(6);
    }
}
