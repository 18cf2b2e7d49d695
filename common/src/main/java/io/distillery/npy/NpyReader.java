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
 * <p>{@link #readExact} keeps the stored type instead: {@code <f4} FLOAT, {@code <f8} DOUBLE, {@code <i4} INT,
 * {@code <i8} LONG, with every value exact.
 *
 * <p>A damaged file (bad magic, malformed header, truncated or over-long data) raises an {@link IOException};
 * a well-formed file this reader does not support (other dtype, Fortran order, unknown version) raises an
 * {@link IllegalArgumentException}. Both messages name the file.
 */
public final class NpyReader {

    private static final int CHUNK_BYTES = 1 << 20;

    private NpyReader() {}

    public static INDArray read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Opened opened = open(ch, file);
            float[] values = readValues(ch, opened.dtype(), opened.count(), file);
            return toArray(values, opened.header().shape());
        }
    }

    /**
     * Reads the array in its stored type: {@code <f4} as FLOAT, {@code <f8} as DOUBLE, {@code <i4} as INT and
     * {@code <i8} as LONG, no value rounded. Errors as for {@link #read}.
     */
    public static INDArray readExact(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Opened opened = open(ch, file);
            NpyDtype dtype = opened.dtype();
            int count = opened.count();
            long[] shape = opened.header().shape();
            DataType type = switch (dtype) {
                case F4 -> DataType.FLOAT;
                case F8 -> DataType.DOUBLE;
                case I4 -> DataType.INT;
                case I8 -> DataType.LONG;
            };
            if (count == 0) {
                return Nd4j.create(type, shape, 'c');
            }
            INDArray flat = switch (dtype) {
                case F4 -> {
                    float[] v = new float[count];
                    readBulk(
                            ch,
                            dtype,
                            count,
                            file,
                            (b, off, n) -> b.asFloatBuffer().get(v, off, n));
                    yield Nd4j.createFromArray(v);
                }
                case F8 -> {
                    double[] v = new double[count];
                    readBulk(
                            ch,
                            dtype,
                            count,
                            file,
                            (b, off, n) -> b.asDoubleBuffer().get(v, off, n));
                    yield Nd4j.createFromArray(v);
                }
                case I4 -> {
                    int[] v = new int[count];
                    readBulk(
                            ch,
                            dtype,
                            count,
                            file,
                            (b, off, n) -> b.asIntBuffer().get(v, off, n));
                    yield Nd4j.createFromArray(v);
                }
                case I8 -> {
                    long[] v = new long[count];
                    readBulk(
                            ch,
                            dtype,
                            count,
                            file,
                            (b, off, n) -> b.asLongBuffer().get(v, off, n));
                    yield Nd4j.createFromArray(v);
                }
            };
            return shape.length == 0 ? flat.reshape() : flat.reshape('c', shape);
        }
    }

    /** The header, the dtype and the element count, checked; the channel is left at the start of the data. */
    private record Opened(NpyHeader header, NpyDtype dtype, int count) {}

    private static Opened open(FileChannel ch, Path file) throws IOException {
        NpyHeader header = readHeader(ch, file);
        NpyDtype dtype = NpyDtype.forDescr(header.descr());
        if (dtype == null) {
            throw new IllegalArgumentException(
                    file + ": unsupported npy dtype '" + header.descr() + "' (supported: " + supportedDescrs() + ")");
        }
        if (header.fortranOrder()) {
            throw new IllegalArgumentException(
                    file + ": Fortran-order npy arrays are not supported" + " (save with numpy.ascontiguousarray)");
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
        return new Opened(header, dtype, (int) count);
    }

    /** Copies {@code n} elements from a little-endian chunk to the destination at {@code offset}. */
    private interface ChunkSink {
        void accept(ByteBuffer littleEndian, int offset, int n);
    }

    private static void readBulk(FileChannel ch, NpyDtype dtype, int count, Path file, ChunkSink sink)
            throws IOException {
        int perChunk = CHUNK_BYTES / dtype.itemSize;
        for (int done = 0; done < count; ) {
            int n = Math.min(perChunk, count - done);
            sink.accept(readFully(ch, n * dtype.itemSize, file, "npy data"), done, n);
            done += n;
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
        String dict = (major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1)
                .decode(text)
                .toString();
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
