package io.distillery.it.cluster;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** WebDataset shards for the cluster tests: real PNGs (decoded by the job), plus damaged images and tars. */
public final class ClusterInputs {
    private ClusterInputs() {}

    /**
     * Writes {@code shards} WebDataset tars of {@code samples} good samples each to HDFS, {@code dir/0000N.tar} with
     * keys {@code s<N>_<i>}; returns the keys.
     */
    public static java.util.Set<String> writeShards(HdfsCluster hdfs, String dir, int shards, int samples)
            throws IOException {
        java.util.Set<String> keys = new java.util.HashSet<>();
        for (int s = 0; s < shards; s++) {
            String prefix = "s" + s + "_";
            hdfs.write(String.format("%s/%05d.tar", dir, s), tar(goodSamples(prefix, samples, 100 + s)));
            keys.addAll(keys(prefix, samples));
        }
        return keys;
    }

    /** One tar member. */
    public record Member(String name, byte[] content) {}

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

    /** A sample {@code key}: {@code key.png}, {@code key.cls} (label) and {@code key.txt} (caption). */
    public static List<Member> sample(String key, byte[] png, int label) {
        return List.of(
                new Member(key + ".png", png),
                new Member(key + ".cls", Integer.toString(label).getBytes(StandardCharsets.UTF_8)),
                new Member(key + ".txt", ("caption " + key).getBytes(StandardCharsets.UTF_8)));
    }

    /** {@code samples} good samples with keys {@code prefix000..}, 40x30 random PNGs, labels 0..2. */
    public static List<Member> goodSamples(String prefix, int samples, long seed) throws IOException {
        Random random = new Random(seed);
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            members.addAll(sample(String.format("%s%03d", prefix, i), randomPng(random, 40, 30), i % 3));
        }
        return members;
    }

    /** The keys {@link #goodSamples} makes. */
    public static List<String> keys(String prefix, int samples) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            keys.add(String.format("%s%03d", prefix, i));
        }
        return keys;
    }

    public static byte[] tar(List<Member> members) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            for (Member m : members) {
                TarArchiveEntry entry = new TarArchiveEntry(m.name());
                entry.setSize(m.content().length);
                tar.putArchiveEntry(entry);
                tar.write(m.content());
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    /** The first {@code fraction} of the bytes (a cut download). */
    public static byte[] truncated(byte[] bytes, double fraction) {
        return Arrays.copyOf(bytes, (int) (bytes.length * fraction));
    }

    /** Bytes that are no image at all. */
    public static byte[] garbage(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        bytes[0] = 'x'; // never a PNG/JPEG/WebP signature by chance
        return bytes;
    }
}
