package io.distillery.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An open safetensors file. {@link #open} validates the whole header against the file (see
 * {@link SafetensorsHeader}) before anything is trusted; tensors are then read on demand with positional reads,
 * so files larger than 2 GB work and the file is never loaded whole. Reads are safe from several threads.
 *
 * <pre>{@code
 * try (SafetensorsFile f = SafetensorsFile.open(path)) {
 *     INDArray w = f.readArray("blocks.0.attn.qkv.weight");
 * }
 * }</pre>
 */
public final class SafetensorsFile implements AutoCloseable {

    /** Bytes converted per read, so a conversion never needs the raw bytes and the result in heap at once. */
    private static final int CHUNK_BYTES = 1 << 20;
    /** Largest Java array the JVM reliably allocates. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final Path path;
    private final String file;
    private final FileChannel channel;
    private final SafetensorsHeader header;

    private SafetensorsFile(Path path, FileChannel channel, SafetensorsHeader header) {
        this.path = path;
        this.file = path.toString();
        this.channel = channel;
        this.header = header;
    }

    /**
     * Opens and validates {@code path}.
     *
     * @throws CheckpointFormatException when the file is not a well-formed safetensors file
     * @throws IOException when it cannot be read
     */
    public static SafetensorsFile open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return new SafetensorsFile(path, channel, SafetensorsHeader.read(channel, path.toString()));
        } catch (IOException | RuntimeException | Error e) {
            try {
                channel.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** Tensor names in file order (by position of their bytes, which for official files is the header order). */
    public List<String> names() {
        List<String> names = new ArrayList<>(header.tensors.size());
        for (TensorInfo t : header.tensors) {
            names.add(t.name());
        }
        return List.copyOf(names);
    }

    /** All tensors in file order. */
    public List<TensorInfo> tensors() {
        return header.tensors;
    }

    public boolean contains(String name) {
        return header.byName.containsKey(name);
    }

    /** @throws IllegalArgumentException naming file and tensor when there is no such tensor */
    public TensorInfo info(String name) {
        TensorInfo t = header.byName.get(name);
        if (t == null) {
            throw new IllegalArgumentException(
                    file + ": no tensor " + Text.quote(name) + " (the file has " + header.tensors.size() + " tensors)");
        }
        return t;
    }

    /** The {@code __metadata__} map in header order; empty when the file has none. */
    public Map<String, String> metadata() {
        return header.metadata;
    }

    /** Absolute file position of the first data byte (tensor offsets are relative to it). */
    public long dataStart() {
        return header.dataStart;
    }

    /** The tensor's raw little-endian bytes. */
    public byte[] readBytes(String name) throws IOException {
        TensorInfo t = info(name);
        checkArraySize(t, t.byteLength(), "bytes");
        ByteBuffer b = ByteBuffer.allocate((int) t.byteLength());
        SafetensorsHeader.readFully(channel, file, header.dataStart + t.begin(), b);
        return b.array();
    }

    /** The tensor's values in C order as float32 (rounded to nearest where the dtype is wider). */
    public float[] readFloats(String name) throws IOException {
        TensorInfo t = info(name);
        float[] out = new float[checkArraySize(t, t.elementCount(), "elements")];
        readChunks(t, (chunk, offset, count) -> ElementCodec.decodeFloats(t.dtype(), chunk, out, offset, count));
        return out;
    }

    /** The tensor's values in C order as float64 (exact except for 64-bit integers beyond 2^53). */
    public double[] readDoubles(String name) throws IOException {
        TensorInfo t = info(name);
        double[] out = new double[checkArraySize(t, t.elementCount(), "elements")];
        readChunks(t, (chunk, offset, count) -> ElementCodec.decodeDoubles(t.dtype(), chunk, out, offset, count));
        return out;
    }

    /** The tensor as a float32 C-order INDArray of its shape (rank 0 for a scalar, an empty array for no elements). */
    public INDArray readArray(String name) throws IOException {
        TensorInfo t = info(name);
        float[] values = readFloats(name);
        long[] shape = t.shape();
        if (shape.length == 0) {
            return Nd4j.scalar(values[0]);
        }
        if (values.length == 0) {
            return Nd4j.create(DataType.FLOAT, shape);
        }
        return Nd4j.create(values, shape, 'c');
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + file + ", " + header.tensors.size() + " tensors]";
    }

    @FunctionalInterface
    private interface ChunkConsumer {
        void accept(ByteBuffer chunk, int firstElement, int elements);
    }

    /** Feeds the tensor's bytes to {@code consumer} in little-endian chunks of whole elements. */
    private void readChunks(TensorInfo t, ChunkConsumer consumer) throws IOException {
        int elementSize = t.dtype().byteSize();
        int chunkElements = CHUNK_BYTES / elementSize;
        long total = t.elementCount();
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(total, chunkElements) * elementSize)
                .order(ByteOrder.LITTLE_ENDIAN);
        for (long done = 0; done < total; ) {
            int count = (int) Math.min(total - done, chunkElements);
            chunk.clear().limit(count * elementSize);
            SafetensorsHeader.readFully(channel, file, header.dataStart + t.begin() + done * elementSize, chunk);
            chunk.flip();
            consumer.accept(chunk, (int) done, count);
            done += count;
        }
    }

    private int checkArraySize(TensorInfo t, long size, String unit) {
        if (size > MAX_ARRAY) {
            throw new IllegalArgumentException(file + ": tensor " + Text.quote(t.name()) + " has " + size + " " + unit
                    + ", too many for one Java array");
        }
        return (int) size;
    }
}
