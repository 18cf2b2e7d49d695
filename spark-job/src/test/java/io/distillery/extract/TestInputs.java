package io.distillery.extract;

import io.distillery.npy.ParityFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Builds small input datasets for the extract tests. */
public final class TestInputs {
    private TestInputs() {}

    /** The six parity images as an image folder: class a = img_0..2, class b = img_3..5. */
    public static Path parityImageFolder(Path dir) throws IOException {
        for (int i = 0; i < 6; i++) {
            Path classDir = Files.createDirectories(dir.resolve(i < 3 ? "a" : "b"));
            Files.copy(ParityFiles.file("images/img_" + i + ".png"), classDir.resolve("img_" + i + ".png"));
        }
        return dir;
    }

    public static byte[] randomPng(Random random, int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** A WebDataset tar with {@code samples} PNG samples (+ .cls and .txt), keys prefix-000..; returns its bytes. */
    public static byte[] webDatasetTar(String prefix, int samples, long seed) throws IOException {
        Random random = new Random(seed);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            for (int i = 0; i < samples; i++) {
                String key = String.format("%s%03d", prefix, i);
                put(tar, key + ".png", randomPng(random, 40, 30));
                put(tar, key + ".cls", Integer.toString(i % 3).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                put(tar, key + ".txt", ("caption " + key).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return bytes.toByteArray();
    }

    /**
     * A WebDataset shard of an easy 2-class problem: class 0 dark, class 1 bright grey images with noise, labels
     * alternating 0, 1, 0, ...
     */
    public static void twoClassShard(Path file, int samples, long seed, int size) throws IOException {
        Random random = new Random(seed);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            for (int i = 0; i < samples; i++) {
                int label = i % 2;
                BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        int v = Math.max(
                                0, Math.min(255, (label == 0 ? 60 : 190) + (int) (random.nextGaussian() * 40)));
                        image.setRGB(x, y, v << 16 | v << 8 | v);
                    }
                }
                ByteArrayOutputStream png = new ByteArrayOutputStream();
                ImageIO.write(image, "png", png);
                String key =
                        String.format("%s%04d", file.getFileName().toString().replace(".tar", "-"), i);
                put(tar, key + ".png", png.toByteArray());
                put(tar, key + ".cls", Integer.toString(label).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        Files.write(file, bytes.toByteArray());
    }

    /** A tar of the given members, in order: name, content, name, content, ... (String contents are UTF-8). */
    public static Path tar(Path file, Object... members) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            for (int i = 0; i < members.length; i += 2) {
                Object content = members[i + 1];
                put(
                        tar,
                        (String) members[i],
                        content instanceof String text
                                ? text.getBytes(java.nio.charset.StandardCharsets.UTF_8)
                                : (byte[]) content);
            }
        }
        Files.write(file, bytes.toByteArray());
        return file;
    }

    private static void put(TarArchiveOutputStream tar, String name, byte[] data) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(data.length);
        tar.putArchiveEntry(entry);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    /**
     * The parity teacher with every {@code gamma_2} of its last block set to {@code value}: finite weights whose
     * outputs overflow (3e38: Inf/NaN in float32; 1e6: beyond fp16's range).
     */
    public static Path scaledTeacher(Path file, float value) throws IOException {
        var tensors = io.distillery.model.EncoderLoader.readTensors(
                ParityFiles.root().resolve("teacher_beitv2/weights.safetensors"));
        io.distillery.checkpoint.SafetensorsWriter writer = new io.distillery.checkpoint.SafetensorsWriter();
        tensors.forEach((k, v) -> writer.addArray(
                k, k.equals("blocks.3.gamma_2") ? v.like().assign(value) : v, io.distillery.checkpoint.DType.F32));
        writer.write(file);
        return file;
    }

    /**
     * The parity teacher with a random classifier head of {@code classes} outputs (seeded), as {@code config.json}
     * and {@code weights.safetensors} in {@code dir}; returns the overrides that select it.
     */
    public static List<String> classifierTeacher(Path dir, int classes) throws IOException {
        Path parity = ParityFiles.root().resolve("teacher_beitv2");
        Files.createDirectories(dir);
        String config = Files.readString(parity.resolve("config.json"));
        if (!config.contains("\"num_classes\": 0")) {
            throw new IllegalStateException("the parity config no longer says num_classes 0");
        }
        Path configFile = Files.writeString(
                dir.resolve("config.json"), config.replace("\"num_classes\": 0", "\"num_classes\": " + classes));
        var tensors = io.distillery.model.EncoderLoader.readTensors(parity.resolve("weights.safetensors"));
        io.distillery.checkpoint.SafetensorsWriter writer = new io.distillery.checkpoint.SafetensorsWriter();
        tensors.forEach((k, v) -> writer.addArray(k, v, io.distillery.checkpoint.DType.F32));
        long dim = tensors.get("fc_norm.weight").length();
        Random random = new Random(17);
        float[] weight = new float[(int) (classes * dim)];
        for (int i = 0; i < weight.length; i++) {
            weight[i] = (float) random.nextGaussian();
        }
        float[] bias = new float[classes];
        for (int i = 0; i < classes; i++) {
            bias[i] = (float) (0.5 * random.nextGaussian());
        }
        writer.addFloats("head.weight", weight, new long[] {classes, dim}, io.distillery.checkpoint.DType.F32);
        writer.addFloats("head.bias", bias, new long[] {classes}, io.distillery.checkpoint.DType.F32);
        Path weights = dir.resolve("weights.safetensors");
        writer.write(weights);
        return List.of("teacher.model=\"" + configFile + "\"", "teacher.checkpoint=\"" + weights + "\"");
    }

    public static List<String> overrides(Path input, String format, Path output, String... extra) {
        Path parity = ParityFiles.root();
        List<String> o = new ArrayList<>(List.of(
                "input.format=" + format,
                "input.path=\"" + input + "\"",
                "output.path=\"" + output + "\"",
                "teacher.model=\"" + parity.resolve("teacher_beitv2/config.json") + "\"",
                "teacher.checkpoint=\"" + parity.resolve("teacher_beitv2/weights.safetensors") + "\"",
                "batch-size=4",
                "progress-interval=1s"));
        o.addAll(List.of(extra));
        return o;
    }
}
