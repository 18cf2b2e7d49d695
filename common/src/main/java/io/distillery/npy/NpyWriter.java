package io.distillery.npy;

import io.distillery.files.AtomicFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Writes float32 (and, with {@link #writeKeepingDouble}, float64) arrays as {@code .npy} files, byte for byte as
 * numpy (>= 1.23) saves a C-order array: format 1.0, {@code '<f4'} or {@code '<f8'}, {@code fortran_order: False}, header padded so the data starts at a
 * multiple of 64 bytes. The file is written to a temporary sibling and moved into place atomically, so
 * readers never see a partial file.
 */
public final class NpyWriter {

    private static final int CHUNK_ELEMENTS = 1 << 18;

    private NpyWriter() {}

    /** Writes {@code array} in C order; non-float32 arrays are converted to float32 first. */
    public static void write(Path file, INDArray array) throws IOException {
        INDArray floats = array.dataType() == DataType.FLOAT ? array : array.castTo(DataType.FLOAT);
        // dup('c') gives a fresh dense buffer in C order even when the input is a view or 'f' ordered.
        float[] data =
                floats.length() == 0 ? new float[0] : floats.dup('c').data().asFloat();
        write(file, data, array.shape());
    }

    /**
     * Writes a DOUBLE array as {@code <f8} (no rounding) and anything else as {@code <f4}, like {@link #write}.
     */
    public static void writeKeepingDouble(Path file, INDArray array) throws IOException {
        if (array.dataType() != DataType.DOUBLE) {
            write(file, array);
            return;
        }
        double[] data =
                array.length() == 0 ? new double[0] : array.dup('c').data().asDouble();
        write(file, data, array.shape());
    }

    /** Writes {@code data} (C order) with the given shape as {@code <f8}; the count must match the shape. */
    public static void write(Path file, double[] data, long... shape) throws IOException {
        checkCount(file, data.length, shape);
        writeAtomically(
                file,
                new NpyHeader("<f8", false, shape).toBytesV1(),
                data.length,
                8,
                (chunk, done, n) -> chunk.asDoubleBuffer().put(data, done, n));
    }

    /** Writes {@code data} (C order) with the given shape; the element count must match the shape. */
    public static void write(Path file, float[] data, long... shape) throws IOException {
        checkCount(file, data.length, shape);
        writeAtomically(
                file,
                new NpyHeader("<f4", false, shape).toBytesV1(),
                data.length,
                4,
                (chunk, done, n) -> chunk.asFloatBuffer().put(data, done, n));
    }

    /** Puts {@code n} elements from index {@code done} at the start of a little-endian chunk. */
    private interface ChunkFiller {
        void fill(ByteBuffer chunk, int done, int n);
    }

    private static void checkCount(Path file, int length, long[] shape) {
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            count = Math.multiplyExact(count, d);
        }
        if (count != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count + " elements but "
                    + length + " values were given (writing " + file + ")");
        }
    }

    private static void writeAtomically(Path file, byte[] header, int length, int itemSize, ChunkFiller filler)
            throws IOException {
        Path target = file.toAbsolutePath();
        try (AtomicFiles.Pending pending = AtomicFiles.create(target)) {
            try {
                OutputStream out = pending.stream();
                out.write(header);
                ByteBuffer chunk =
                        ByteBuffer.allocate(itemSize * CHUNK_ELEMENTS).order(ByteOrder.LITTLE_ENDIAN);
                for (int done = 0; done < length; done += CHUNK_ELEMENTS) {
                    int n = Math.min(CHUNK_ELEMENTS, length - done);
                    filler.fill(chunk, done, n);
                    out.write(chunk.array(), 0, itemSize * n);
                }
                pending.commit();
            } catch (IOException e) {
                // a full disk says only "No space left on device": name the file
                throw e instanceof java.nio.file.FileSystemException
                        ? e
                        : new IOException("writing " + target + " failed: " + e.getMessage(), e);
            }
        }
    }
}
