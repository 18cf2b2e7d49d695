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
 * Writes float32 arrays as {@code .npy} files, byte for byte as numpy (>= 1.23) saves a C-order float32
 * array: format 1.0, {@code '<f4'}, {@code fortran_order: False}, header padded so the data starts at a
 * multiple of 64 bytes. The file is written to a temporary sibling and moved into place atomically, so
 * readers never see a partial file.
 */
public final class NpyWriter {

    private static final int CHUNK_FLOATS = 1 << 18;

    private NpyWriter() {
    }

    /** Writes {@code array} in C order; non-float32 arrays are converted to float32 first. */
    public static void write(Path file, INDArray array) throws IOException {
        INDArray floats = array.dataType() == DataType.FLOAT ? array : array.castTo(DataType.FLOAT);
        // dup('c') gives a fresh dense buffer in C order even when the input is a view or 'f' ordered.
        float[] data = floats.length() == 0 ? new float[0] : floats.dup('c').data().asFloat();
        write(file, data, array.shape());
    }

    /** Writes {@code data} (C order) with the given shape; the element count must match the shape. */
    public static void write(Path file, float[] data, long... shape) throws IOException {
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            count = Math.multiplyExact(count, d);
        }
        if (count != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count
                    + " elements but " + data.length + " values were given (writing " + file + ")");
        }
        byte[] header = new NpyHeader("<f4", false, shape).toBytesV1();

        Path target = file.toAbsolutePath();
        try (AtomicFiles.Pending pending = AtomicFiles.create(target)) {
            try {
                OutputStream out = pending.stream();
                out.write(header);
                ByteBuffer chunk = ByteBuffer.allocate(4 * CHUNK_FLOATS).order(ByteOrder.LITTLE_ENDIAN);
                for (int done = 0; done < data.length; done += CHUNK_FLOATS) {
                    int n = Math.min(CHUNK_FLOATS, data.length - done);
                    chunk.asFloatBuffer().put(data, done, n);
                    out.write(chunk.array(), 0, 4 * n);
                }
                pending.commit();
            } catch (IOException e) {
                // a full disk says only "No space left on device": name the file
                throw e instanceof java.nio.file.FileSystemException ? e
                        : new IOException("writing " + target + " failed: " + e.getMessage(), e);
            }
        }
    }
}
