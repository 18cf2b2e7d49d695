package io.distillery.importer;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The labels of an IDX1 unsigned-byte file, one byte (0..255) per sample.
 *
 * @param file   where they were read from (for messages and provenance)
 * @param labels one byte per sample
 */
public record IdxLabels(Path file, byte[] labels) {
    public IdxLabels {
        Objects.requireNonNull(file, "file cannot be null");
        Objects.requireNonNull(labels, "labels cannot be null");
    }

    public int count() {
        return labels.length;
    }

    /** Label {@code index} as an unsigned value. */
    public int label(int index) {
        return Byte.toUnsignedInt(labels[index]);
    }

    /** The first {@code n} labels (no copy when {@code n == count}). */
    public IdxLabels first(int n) {
        Objects.checkFromToIndex(0, n, count());
        return n == count() ? this : new IdxLabels(file, java.util.Arrays.copyOf(labels, n));
    }
}
