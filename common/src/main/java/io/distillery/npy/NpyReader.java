package io.distillery.npy;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads a C-order {@code .npy} file (format 1.0, 2.0 or 3.0) into a float32 {@link INDArray} of the stored
 * shape. Accepted dtypes: {@code <f4}, and {@code <f8}, {@code <i8}, {@code <i4} converted to float
 * (rounded to the nearest float32).
 *
 * <p>A damaged file (bad magic, malformed header, truncated or over-long data) raises an {@link IOException};
 * a well-formed file this reader does not support (other dtype, Fortran order, unknown version) raises an
 * {@link IllegalArgumentException}. Both messages name the file.
 */
public final class NpyReader {

    private static final int CHUNK_BYTES = 1 << 20;

    private NpyReader() {
    }

    public static INDArray read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            NpyHeader header = readHeader(ch, file);
            NpyDtype dtype = NpyDtype.forDescr(header.descr());
            if (dtype == null) {
                throw new IllegalArgumentException(file + ": unsupported npy dtype '" + header.descr()
                        + "' (supported: " + supportedDescrs() + ")");
            }
            if (header.fortranOrder()) {
                throw new IllegalArgumentException(file + ": Fortran-order npy arrays are not supported"
                        + " (save with numpy.ascontiguousarray)");
            }
            long count = header.elementCount();
            if (count > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(file + ": npy array too large for one float[]: " + count
                        + " elements, shape " + Arrays.toString(header.shape()));
            }
            long expectedBytes = count * dtype.itemSize;
            long available = ch.size() - ch.position();
            if (available != expectedBytes) {
                throw new IOException(file + ": " + (available < expectedBytes ? "truncated" : "over-long")
                        + " npy data: shape " + Arrays.toString(header.shape()) + " " + header.descr()
                        + " needs " + expectedBytes + " bytes, file has " + available);
            }
            float[] values = readValues(ch, dtype, (int) count, file);
            return toArray(values, header.shape());
        }
    }

    private static NpyHeader readHeader(FileChannel ch, Path file) throws IOException {
        ByteBuffer prefix = readFully(ch, NpyHeader.MAGIC.length + 2, file, "npy magic");
        byte[] magic = new byte[NpyHeader.MAGIC.length];
        prefix.get(magic);
        if (!Arrays.equals(magic, NpyHeader.MAGIC)) {
            throw new IOException(file + ": not an npy file (bad magic "
                    + new String(magic, StandardCharsets.ISO_8859_1).replaceAll("[^ -~]", "?") + ")");
        }
        int major = prefix.get() & 0xFF;
        int minor = prefix.get() & 0xFF;
        int headerLength;
        if (major == 1) {
            headerLength = readFully(ch, 2, file, "npy header length").getShort() & 0xFFFF;
        } else if (major == 2 || major == 3) {
            long length = readFully(ch, 4, file, "npy header length").getInt() & 0xFFFFFFFFL;
            if (length > ch.size()) {
                throw new IOException(file + ": npy header length " + length + " exceeds the file size");
            }
            headerLength = (int) length;
        } else {
            throw new IllegalArgumentException(file + ": unsupported npy format version " + major + "." + minor);
        }
        ByteBuffer text = readFully(ch, headerLength, file, "npy header");
        String dict = (major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).decode(text).toString();
        NpyHeader header = NpyHeader.parse(dict);
        if (header == null) {
            throw new IOException(file + ": malformed npy header: " + dict.strip());
        }
        return header;
    }

    private static float[] readValues(FileChannel ch, NpyDtype dtype, int count, Path file) throws IOException {
        float[] values = new float[count];
        int perChunk = CHUNK_BYTES / dtype.itemSize;
        for (int done = 0; done < count; ) {
            int n = Math.min(perChunk, count - done);
            ByteBuffer chunk = readFully(ch, n * dtype.itemSize, file, "npy data");
            for (int i = 0; i < n; i++) {
                values[done + i] = dtype.next(chunk);
            }
            done += n;
        }
        return values;
    }

    private static ByteBuffer readFully(FileChannel ch, int length, Path file, String what) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException(file + ": truncated " + what + " (file ends after " + ch.size() + " bytes)");
            }
        }
        return b.flip();
    }

    private static INDArray toArray(float[] values, long[] shape) {
        if (shape.length == 0) {
            return Nd4j.scalar(values[0]);
        }
        if (values.length == 0) {
            return Nd4j.create(DataType.FLOAT, shape, 'c');
        }
        return Nd4j.create(values, shape, 'c');
    }

    private static String supportedDescrs() {
        return Stream.of(NpyDtype.values()).map(t -> t.descr).collect(Collectors.joining(", "));
    }
}
