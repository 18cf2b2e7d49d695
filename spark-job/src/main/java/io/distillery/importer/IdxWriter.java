package io.distillery.importer;

import io.distillery.files.AtomicFiles;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * Writes unsigned-byte IDX files, gzip-compressed when the name ends with {@code .gz} (Java's gzip header has no
 * time stamp, so equal input gives equal bytes). Each file is written under a temporary name and then renamed.
 */
public final class IdxWriter {
    private IdxWriter() {}

    /** Writes {@code images} as an IDX3 file. */
    public static void writeImages(Path file, IdxImages images) throws IOException {
        write(file, new int[] {images.count(), images.rows(), images.cols()}, images.pixels());
    }

    /** Writes {@code labels} as an IDX1 file. */
    public static void writeLabels(Path file, IdxLabels labels) throws IOException {
        write(file, new int[] {labels.count()}, labels.labels());
    }

    private static void write(Path file, int[] dims, byte[] data) throws IOException {
        boolean gzip = file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz");
        AtomicFiles.write(file, stream -> {
            try (OutputStream raw = new BufferedOutputStream(stream, 1 << 16);
                    DataOutputStream out = new DataOutputStream(gzip ? new GZIPOutputStream(raw, 1 << 16) : raw)) {
                out.writeInt(IdxReader.magic(dims.length));
                for (int size : dims) {
                    out.writeInt(size);
                }
                out.write(data);
            }
        });
    }
}
