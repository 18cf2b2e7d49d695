package io.distillery.checkpoint;

import io.distillery.files.AtomicFiles;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects tensors and writes them as a safetensors file laid out exactly like the official library's
 * {@code save_file}: tensors sorted by dtype (descending safetensors {@code Dtype} order, i.e. widest first) then
 * by name (UTF-8 byte order), {@code __metadata__} first in the header, header padded with spaces to a multiple
 * of 8 bytes. Rewriting what {@link SafetensorsFile} read from an official file reproduces it byte for byte
 * (metadata keep their map order; the official library writes them in hash order).
 *
 * <p>{@link #write} is atomic: the file is written under a temporary name in the target directory, fsynced and
 * renamed over the target, so a crash or a failing tensor never leaves a partial checkpoint under the final name.
 *
 * <p>Byte arrays and sources are held by reference until {@link #write}; do not modify them in between.
 */
public final class SafetensorsWriter {

    private static final Logger LOG = LoggerFactory.getLogger(SafetensorsWriter.class);
    private static final int BUFFER_BYTES = 1 << 16;

    /** Streams a tensor's raw little-endian bytes at write time (for data too large to hold twice in heap). */
    @FunctionalInterface
    public interface TensorSource {
        /** Writes exactly the tensor's byte length to {@code out}; must not close it. */
        void writeTo(OutputStream out) throws IOException;
    }

    private record Entry(
            String name, byte[] nameUtf8, DType dtype, long[] shape, long byteLength, TensorSource source) {}

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private Map<String, String> metadata = Map.of();

    /** Adds a tensor from raw little-endian bytes, which must be exactly shape x dtype size long. */
    public SafetensorsWriter add(String name, DType dtype, long[] shape, byte[] data) {
        Objects.requireNonNull(data, "data");
        long expected = checkedByteLength(name, dtype, shape);
        if (data.length != expected) {
            throw new IllegalArgumentException("tensor " + Text.quote(name) + ": shape " + Arrays.toString(shape)
                    + " x " + dtype + " needs " + expected + " bytes, got " + data.length);
        }
        return put(name, dtype, shape, expected, out -> out.write(data));
    }

    /** Adds a tensor whose shape x dtype size bytes {@code source} produces when the file is written. */
    public SafetensorsWriter add(String name, DType dtype, long[] shape, TensorSource source) {
        Objects.requireNonNull(source, "source");
        return put(name, dtype, shape, checkedByteLength(name, dtype, shape), source);
    }

    /** Adds C-order float values stored as {@code storeAs} (F32, F16, BF16 rounded to nearest even, or F64). */
    public SafetensorsWriter addFloats(String name, float[] data, long[] shape, DType storeAs) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(storeAs, "storeAs");
        if (!ElementCodec.isFloatStorable(storeAs)) {
            throw new IllegalArgumentException("tensor " + Text.quote(name) + ": cannot store floats as " + storeAs
                    + " (use F32, F16, BF16 or F64)");
        }
        long expected = checkedByteLength(name, storeAs, shape);
        if ((long) data.length * storeAs.byteSize() != expected) {
            throw new IllegalArgumentException("tensor " + Text.quote(name) + ": shape " + Arrays.toString(shape)
                    + " has " + expected / storeAs.byteSize() + " elements, got " + data.length + " values");
        }
        ByteBuffer bytes = ByteBuffer.allocate((int) expected).order(ByteOrder.LITTLE_ENDIAN);
        ElementCodec.encodeFloats(storeAs, data, bytes);
        return add(name, storeAs, shape, bytes.array());
    }

    /**
     * Adds an array's values in C order (whatever its ordering or view offsets) with its shape, stored as
     * {@code storeAs}. A double array stored as F64 keeps full precision; anything else goes through float32.
     */
    public SafetensorsWriter addArray(String name, INDArray array, DType storeAs) {
        Objects.requireNonNull(array, "array");
        long[] shape = array.shape();
        if (array.isEmpty()) {
            return addFloats(name, new float[0], shape, storeAs);
        }
        if (storeAs == DType.F64 && array.dataType() == DataType.DOUBLE) {
            double[] values = flatC(array).toDoubleVector();
            ByteBuffer bytes = ByteBuffer.allocate(values.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asDoubleBuffer().put(values);
            return add(name, DType.F64, shape, bytes.array());
        }
        float[] values = flatC(array.castTo(DataType.FLOAT)).toFloatVector();
        return addFloats(name, values, shape, storeAs);
    }

    /** The values in C order as a vector (reshape(char, long) would bind to reshape(rows, columns)). */
    private static INDArray flatC(INDArray array) {
        return array.dup('c').reshape('c', new long[] {array.length()});
    }

    /** Sets the {@code __metadata__} string map (written in its iteration order; empty writes none). */
    public SafetensorsWriter metadata(Map<String, String> metadata) {
        Map<String, String> copy = new LinkedHashMap<>();
        metadata.forEach((k, v) -> {
            Objects.requireNonNull(k, "metadata key");
            Objects.requireNonNull(v, () -> "metadata value of " + Text.quote(k));
            Text.utf8(k, "metadata key");
            Text.utf8(v, "metadata value of " + Text.quote(k) + ":");
            copy.put(k, v);
        });
        this.metadata = copy;
        return this;
    }

    /** The tensors in the order and at the offsets {@link #write} will use. */
    public List<TensorInfo> layout() {
        List<Entry> ordered = new ArrayList<>(entries.values());
        // The official writer sorts by Dtype descending, then name; Rust compares names as UTF-8 bytes.
        ordered.sort(Comparator.comparing(Entry::dtype, Comparator.reverseOrder())
                .thenComparing(Entry::nameUtf8, Arrays::compareUnsigned));
        List<TensorInfo> layout = new ArrayList<>(ordered.size());
        long offset = 0;
        for (Entry e : ordered) {
            layout.add(new TensorInfo(e.name(), e.dtype(), e.shape(), offset, offset + e.byteLength()));
            offset += e.byteLength();
        }
        return layout;
    }

    /**
     * Writes the file atomically: on any failure the previous file at {@code target} (if any) is untouched and
     * the temporary file is removed.
     */
    public void write(Path target) throws IOException {
        List<TensorInfo> layout = layout();
        byte[] header = HeaderJson.build(metadata, layout);
        if (header.length > SafetensorsHeader.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException(target + ": header of " + header.length
                    + " bytes exceeds the safetensors limit of " + SafetensorsHeader.MAX_HEADER_BYTES);
        }
        // hidden temporary name, so nothing mistakes a partial file for a checkpoint
        try (AtomicFiles.Pending pending = AtomicFiles.create(target)) {
            OutputStream out = new BufferedOutputStream(pending.stream(), BUFFER_BYTES);
            out.write(ByteBuffer.allocate(SafetensorsHeader.LENGTH_PREFIX_BYTES)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(header.length)
                    .array());
            out.write(header);
            for (TensorInfo t : layout) {
                writeTensor(out, t, entries.get(t.name()).source());
            }
            out.flush();
            pending.commit();
        }
        AtomicFiles.syncDirectory(target.toAbsolutePath().getParent());
        LOG.debug("wrote {} ({} tensors)", target, layout.size());
    }

    private SafetensorsWriter put(String name, DType dtype, long[] shape, long byteLength, TensorSource source) {
        if (entries.containsKey(name)) {
            throw new IllegalArgumentException("duplicate tensor name " + Text.quote(name));
        }
        entries.put(name, new Entry(name, Text.utf8(name, "tensor name"), dtype, shape.clone(), byteLength, source));
        return this;
    }

    /** Validates name and shape; returns shape x dtype size in bytes. */
    private static long checkedByteLength(String name, DType dtype, long[] shape) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        if (name.startsWith("__")) {
            // "__metadata__" is the format's own key; the whole "__" prefix is kept free for such keys.
            throw new IllegalArgumentException("tensor name " + Text.quote(name) + " must not start with \"__\"");
        }
        long n = dtype.byteSize();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(
                        "tensor " + Text.quote(name) + ": negative dimension in shape " + Arrays.toString(shape));
            }
            n = d == 0 || n <= Long.MAX_VALUE / d ? n * d : Long.MAX_VALUE; // saturate; rejected just below
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    "tensor " + Text.quote(name) + ": " + n + " bytes, more than one tensor may hold (2 GB)");
        }
        return n;
    }

    private static void writeTensor(OutputStream out, TensorInfo t, TensorSource source) throws IOException {
        ExactLengthStream exact = new ExactLengthStream(out, t);
        source.writeTo(exact);
        if (exact.remaining != 0) {
            throw new IllegalStateException("tensor " + Text.quote(t.name()) + ": source wrote "
                    + (t.byteLength() - exact.remaining) + " of " + t.byteLength() + " bytes");
        }
    }

    /** Passes through exactly one tensor's bytes; a source writing more fails at once, and cannot close. */
    private static final class ExactLengthStream extends FilterOutputStream {
        private final TensorInfo tensor;
        private long remaining;

        ExactLengthStream(OutputStream out, TensorInfo tensor) {
            super(out);
            this.tensor = tensor;
            this.remaining = tensor.byteLength();
        }

        @Override
        public void write(int b) throws IOException {
            reserve(1);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            reserve(len);
            out.write(b, off, len);
        }

        @Override
        public void close() {
            // The checkpoint stream belongs to the writer.
        }

        private void reserve(int len) {
            if (len > remaining) {
                throw new IllegalStateException("tensor " + Text.quote(tensor.name()) + ": source wrote more than "
                        + tensor.byteLength() + " bytes");
            }
            remaining -= len;
        }
    }
}
