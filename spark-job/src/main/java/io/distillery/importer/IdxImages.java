package io.distillery.importer;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The images of an IDX3 unsigned-byte file: {@code count} images of {@code rows x cols} pixels, row-major, one byte
 * per pixel (0..255, as stored: for MNIST-style sets 0 is the background).
 *
 * @param file   where they were read from (for messages and provenance)
 * @param pixels {@code count * rows * cols} bytes, image after image
 */
public record IdxImages(Path file, int count, int rows, int cols, byte[] pixels) {
    public IdxImages {
        Objects.requireNonNull(file, "file cannot be null");
        Objects.requireNonNull(pixels, "pixels cannot be null");
        if (count < 0 || rows < 1 || cols < 1 || (long) count * rows * cols != pixels.length) {
            throw new IllegalArgumentException(file + ": " + pixels.length + " pixel bytes do not make " + count
                    + " images of " + rows + "x" + cols);
        }
    }

    /** Bytes per image. */
    public int imageBytes() {
        return rows * cols;
    }

    /** A copy of image {@code index}'s pixels, row-major. */
    public byte[] image(int index) {
        Objects.checkIndex(index, count);
        byte[] image = new byte[imageBytes()];
        System.arraycopy(pixels, index * imageBytes(), image, 0, image.length);
        return image;
    }

    /** The first {@code n} images (no copy when {@code n == count}). */
    public IdxImages first(int n) {
        Objects.checkFromToIndex(0, n, count);
        if (n == count) {
            return this;
        }
        byte[] head = new byte[n * imageBytes()];
        System.arraycopy(pixels, 0, head, 0, head.length);
        return new IdxImages(file, n, rows, cols, head);
    }
}
