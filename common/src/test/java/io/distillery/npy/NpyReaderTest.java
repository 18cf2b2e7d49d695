package io.distillery.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class NpyReaderTest {

    @TempDir
    Path dir;

    static Stream<JsonNode> manifestArrays() {
        try {
            JsonNode manifest = new ObjectMapper()
                    .readTree(ParityFiles.file("manifest.json").toFile());
            return StreamSupport.stream(manifest.get("arrays").spliterator(), false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifestArrays")
    void everyFixtureHasTheManifestShape(JsonNode entry) throws IOException {
        long[] expected = StreamSupport.stream(entry.get("shape").spliterator(), false)
                .mapToLong(JsonNode::asLong)
                .toArray();
        INDArray a = NpyReader.read(ParityFiles.file(entry.get("npy").asText()));
        assertThat(a.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(a.shape()).as(entry.get("name").asText()).isEqualTo(expected);
    }

    @Test
    void inputNpyHoldsTheSameFloatsAsTheRawInputBin() throws IOException {
        byte[] raw = Files.readAllBytes(ParityFiles.file("input.bin"));
        float[] expected = new float[raw.length / 4];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(expected);

        INDArray input = NpyReader.read(ParityFiles.file("input.npy"));
        assertThat(input.reshape(input.length()).toFloatVector()).isEqualTo(expected);
    }

    @Test
    void convertsFloat64AndIntegerDtypesToFloat() throws IOException {
        ByteBuffer f8 = le(16).putDouble(0.1).putDouble(-3e40);
        assertThat(NpyReader.read(npy("f8.npy", "<f8", f8, 2)).toFloatVector())
                .isEqualTo(new float[] {0.1f, Float.NEGATIVE_INFINITY});

        ByteBuffer i8 = le(24).putLong(-7).putLong(1L << 40).putLong(0);
        INDArray longs = NpyReader.read(npy("i8.npy", "<i8", i8, 3, 1));
        assertThat(longs.shape()).isEqualTo(new long[] {3, 1});
        assertThat(longs.reshape(3).toFloatVector()).isEqualTo(new float[] {-7f, (float) (1L << 40), 0f});

        ByteBuffer i4 = le(8).putInt(Integer.MIN_VALUE).putInt(42);
        assertThat(NpyReader.read(npy("i4.npy", "<i4", i4, 2)).toFloatVector())
                .isEqualTo(new float[] {(float) Integer.MIN_VALUE, 42f});
    }

    @Test
    void readExactKeepsTheStoredTypeAndEveryValue() throws IOException {
        ByteBuffer f8 = le(16).putDouble(0.1).putDouble(-3e40);
        INDArray doubles = NpyReader.readExact(npy("f8.npy", "<f8", f8, 2, 1));
        assertThat(doubles.dataType()).isEqualTo(DataType.DOUBLE);
        assertThat(doubles.shape()).isEqualTo(new long[] {2, 1});
        assertThat(doubles.reshape(2).toDoubleVector()).isEqualTo(new double[] {0.1, -3e40});

        ByteBuffer i8 = le(24).putLong(-7).putLong((1L << 53) + 1).putLong(0);
        INDArray longs = NpyReader.readExact(npy("i8.npy", "<i8", i8, 3));
        assertThat(longs.dataType()).isEqualTo(DataType.LONG);
        assertThat(longs.toLongVector()).isEqualTo(new long[] {-7, (1L << 53) + 1, 0});

        ByteBuffer i4 = le(8).putInt(Integer.MIN_VALUE).putInt(42);
        INDArray ints = NpyReader.readExact(npy("i4.npy", "<i4", i4, 2));
        assertThat(ints.dataType()).isEqualTo(DataType.INT);
        assertThat(ints.toIntVector()).isEqualTo(new int[] {Integer.MIN_VALUE, 42});

        ByteBuffer f4 = le(8).putFloat(0.1f).putFloat(-2f);
        INDArray floats = NpyReader.readExact(npy("f4.npy", "<f4", f4, 2));
        assertThat(floats.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(floats.toFloatVector()).isEqualTo(new float[] {0.1f, -2f});
    }

    @Test
    void readExactHandlesScalarsAndEmptyArrays() throws IOException {
        INDArray scalar = NpyReader.readExact(npy("s.npy", "<f8", le(8).putDouble(2.5)));
        assertThat(scalar.rank()).isZero();
        assertThat(scalar.getDouble(0)).isEqualTo(2.5);
        INDArray empty = NpyReader.readExact(npy("e.npy", "<i8", le(0), 0, 3));
        assertThat(empty.dataType()).isEqualTo(DataType.LONG);
        assertThat(empty.shape()).isEqualTo(new long[] {0, 3});
    }

    @Test
    void readExactRejectsDamagedFilesLikeRead() throws IOException {
        Path f = npy("t.npy", "<f8", le(8).putDouble(1), 2);
        assertThatThrownBy(() -> NpyReader.readExact(f))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(f + ": truncated npy data");
    }

    @Test
    void readsFormatVersion2() throws IOException {
        byte[] v1 = new NpyHeader("<f4", false, new long[] {2}).toBytesV1();
        String dict = new String(v1, 10, v1.length - 10, StandardCharsets.ISO_8859_1);
        ByteBuffer b = le(12 + dict.length() + 8);
        b.put(NpyHeader.MAGIC)
                .put((byte) 2)
                .put((byte) 0)
                .putInt(dict.length())
                .put(dict.getBytes(StandardCharsets.ISO_8859_1))
                .putFloat(1.5f)
                .putFloat(-2f);
        Path f = dir.resolve("v2.npy");
        Files.write(f, b.array());
        assertThat(NpyReader.read(f).toFloatVector()).isEqualTo(new float[] {1.5f, -2f});
    }

    @Test
    void badMagicIsAnIOExceptionNamingTheFile() throws IOException {
        Path f = dir.resolve("not-npy.npy");
        Files.writeString(f, "PK\u0003\u0004 this is a zip, not an npy file");
        assertThatThrownBy(() -> NpyReader.read(f))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("bad magic")
                .hasMessageNotContaining("\n");
    }

    @Test
    void tooShortFileIsAnIOExceptionNamingTheFile() throws IOException {
        Path f = dir.resolve("short.npy");
        Files.write(f, new byte[] {(byte) 0x93, 'N', 'U'});
        assertThatThrownBy(() -> NpyReader.read(f))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("truncated");
    }

    @Test
    void truncatedDataIsAnIOExceptionNamingTheFileAndSizes() throws IOException {
        Path f = npy("trunc.npy", "<f4", le(20), 2, 3); // 6 floats declared, 5 stored
        assertThatThrownBy(() -> NpyReader.read(f))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("truncated")
                .hasMessageContaining("24 bytes")
                .hasMessageContaining("20");
    }

    @Test
    void unsupportedDtypeIsRejectedNamingTheFileAndDtype() throws IOException {
        Path f = npy("half.npy", "<f2", le(4), 2);
        assertThatThrownBy(() -> NpyReader.read(f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("'<f2'");

        Path bigEndian = npy("be.npy", ">f4", le(8), 2);
        assertThatThrownBy(() -> NpyReader.read(bigEndian))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'>f4'");
    }

    @Test
    void fortranOrderIsRejectedNamingTheFile() throws IOException {
        byte[] header = new NpyHeader("<f4", true, new long[] {2, 2}).toBytesV1();
        Path f = dir.resolve("fortran.npy");
        Files.write(f, concat(header, new byte[16]));
        assertThatThrownBy(() -> NpyReader.read(f))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("Fortran");
    }

    @Test
    void malformedHeaderIsAnIOExceptionNamingTheFile() throws IOException {
        byte[] good = new NpyHeader("<f4", false, new long[] {1}).toBytesV1();
        String text = new String(good, StandardCharsets.ISO_8859_1).replace("'shape'", "'shapo'");
        Path f = dir.resolve("malformed.npy");
        Files.write(f, concat(text.getBytes(StandardCharsets.ISO_8859_1), new byte[4]));
        assertThatThrownBy(() -> NpyReader.read(f))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("malformed");
    }

    private Path npy(String name, String descr, ByteBuffer data, long... shape) throws IOException {
        byte[] header = new NpyHeader(descr, false, shape).toBytesV1();
        Path f = dir.resolve(name);
        Files.write(f, concat(header, data.array()));
        return f;
    }

    private static ByteBuffer le(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
