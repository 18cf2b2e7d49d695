package io.distillery.importer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Generated IDX files, well-formed or deliberately broken. */
final class IdxTestFiles {
    private IdxTestFiles() {}

    /** {@code count} random images of {@code rows x cols} (every byte value occurs), seeded. */
    static IdxImages images(Path file, int count, int rows, int cols, long seed) {
        byte[] pixels = new byte[count * rows * cols];
        new Random(seed).nextBytes(pixels);
        if (pixels.length >= 256) {
            for (int v = 0; v < 256; v++) {
                pixels[v] = (byte) v;
            }
        }
        return new IdxImages(file, count, rows, cols, pixels);
    }

    /** {@code count} labels cycling through {@code 0..classes-1}, starting at {@code seed % classes}. */
    static IdxLabels labels(Path file, int count, int classes, int seed) {
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) ((seed + i * 7) % classes);
        }
        return new IdxLabels(file, labels);
    }

    /** Writes a matching image and label file ({@code .gz} names are compressed) and returns them as a dataset. */
    static IdxDataset pair(Path dir, String images, String labels, int count, int rows, int cols) throws IOException {
        IdxImages img = images(dir.resolve(images), count, rows, cols, count * 1000L + rows);
        IdxLabels lab = labels(dir.resolve(labels), count, 10, count);
        IdxWriter.writeImages(img.file(), img);
        IdxWriter.writeLabels(lab.file(), lab);
        return new IdxDataset(img, lab);
    }

    /** Raw IDX bytes: a magic number, dimension sizes, then {@code data}. */
    static byte[] raw(int magic, int[] dims, byte[] data) {
        ByteBuffer buf = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        buf.putInt(magic);
        for (int d : dims) {
            buf.putInt(d);
        }
        buf.put(data);
        return buf.array();
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static Path write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        return Files.write(file, bytes);
    }
}
