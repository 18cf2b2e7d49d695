package io.distillery.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SafetensorsRoundTripTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(DType.class)
    void rawBytesOfEveryDtypeRoundTrip(DType dtype) throws IOException {
        byte[] data = new byte[2 * 3 * dtype.byteSize()];
        new SplittableRandom(dtype.ordinal()).nextBytes(data);
        Path file = dir.resolve("raw.safetensors");
        new SafetensorsWriter()
                .add("t", dtype, new long[] {2, 3}, data)
                .add("pad", DType.U8, new long[] {3}, new byte[] {1, 2, 3})
                .write(file);

        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            TensorInfo info = f.info("t");
            assertThat(info.dtype()).isEqualTo(dtype);
            assertThat(info.shape()).containsExactly(2, 3);
            assertThat(info.byteLength()).isEqualTo(data.length);
            assertThat(f.readBytes("t")).isEqualTo(data);
            assertThat(f.readBytes("pad")).containsExactly(1, 2, 3);
            assertThat(f.readFloats("t")).hasSize(6);
        }
    }

    @Test
    void integerTypesConvertToFloatsAndDoubles() throws IOException {
        Path file = dir.resolve("ints.safetensors");
        new SafetensorsWriter()
                .add("bool", DType.BOOL, new long[] {3}, new byte[] {0, 1, 2})
                .add("u8", DType.U8, new long[] {2}, new byte[] {0, (byte) 255})
                .add("i8", DType.I8, new long[] {2}, new byte[] {-128, 127})
                .add(
                        "i16",
                        DType.I16,
                        new long[] {2},
                        le(2, b -> b.putShort((short) -32768).putShort((short) 7)))
                .add("u16", DType.U16, new long[] {1}, le(2, b -> b.putShort((short) 0xFFFF)))
                .add(
                        "i32",
                        DType.I32,
                        new long[] {2},
                        le(4, b -> b.putInt(Integer.MIN_VALUE).putInt(-3)))
                .add("u32", DType.U32, new long[] {1}, le(4, b -> b.putInt(-1)))
                .add(
                        "i64",
                        DType.I64,
                        new long[] {2},
                        le(8, b -> b.putLong(Long.MAX_VALUE).putLong(1L << 53 | 1)))
                .add("u64", DType.U64, new long[] {1}, le(8, b -> b.putLong(-1L)))
                .write(file);

        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.readFloats("bool")).containsExactly(0f, 1f, 1f);
            assertThat(f.readFloats("u8")).containsExactly(0f, 255f);
            assertThat(f.readFloats("i8")).containsExactly(-128f, 127f);
            assertThat(f.readFloats("i16")).containsExactly(-32768f, 7f);
            assertThat(f.readFloats("u16")).containsExactly(65535f);
            assertThat(f.readDoubles("i32")).containsExactly(Integer.MIN_VALUE, -3);
            assertThat(f.readDoubles("u32")).containsExactly(4294967295.0);
            assertThat(f.readFloats("i64")).containsExactly(0x1p63f, 0x1p53f);
            assertThat(f.readDoubles("i64")).containsExactly(0x1p63, 0x1p53);
            assertThat(f.readFloats("u64")).containsExactly(0x1p64f);
            assertThat(f.readDoubles("u64")).containsExactly(0x1p64);
        }
    }

    @Test
    void floatStorageKeepsRepresentableValuesExactly() throws IOException {
        float[] exactInAll = {0f, -0f, 1f, -2.5f, 0.15625f, 1024f, -3072f, 0.0078125f};
        float[] halfSpecials = {
            65504f,
            -65504f,
            0x1p-24f,
            1023 * 0x1p-24f,
            0x1p-14f,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            Float.NaN
        };
        float[] f32Only = {0.1f, 3.4028235e38f, Float.MIN_VALUE, 1.0000001f};
        long[] shape8 = {2, 4};
        Path file = dir.resolve("floats.safetensors");
        new SafetensorsWriter()
                .addFloats("f32", exactInAll, shape8, DType.F32)
                .addFloats("f64", exactInAll, shape8, DType.F64)
                .addFloats("f16", exactInAll, shape8, DType.F16)
                .addFloats("bf16", exactInAll, shape8, DType.BF16)
                .addFloats("f16_special", halfSpecials, shape8, DType.F16)
                .addFloats("f32_only", f32Only, new long[] {4}, DType.F32)
                .addFloats("f64_only", f32Only, new long[] {4}, DType.F64)
                .write(file);

        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String name : List.of("f32", "f64", "f16", "bf16")) {
                assertThat(f.readFloats(name)).as(name).containsExactly(exactInAll);
            }
            assertThat(f.info("f16").byteLength()).isEqualTo(16);
            assertThat(f.info("f64").byteLength()).isEqualTo(64);
            assertThat(Float.floatToRawIntBits(f.readFloats("f16")[1]))
                    .as("-0 keeps its sign")
                    .isEqualTo(0x8000_0000);
            float[] special = f.readFloats("f16_special");
            assertThat(special).hasSize(8);
            assertThat(special[7]).isNaN();
            for (int i = 0; i < 7; i++) {
                assertThat(special[i]).as("f16 special %d", i).isEqualTo(halfSpecials[i]);
            }
            assertThat(f.readFloats("f32_only")).containsExactly(f32Only);
            assertThat(f.readFloats("f64_only")).containsExactly(f32Only);
            assertThat(f.readDoubles("f64_only")).containsExactly(0.1f, 3.4028235e38f, Float.MIN_VALUE, 1.0000001f);
        }
    }

    @Test
    void halfAndBf16ConversionStaysWithinHalfAnUlp() throws IOException {
        SplittableRandom random = new SplittableRandom(3);
        float[] values = new float[10_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(-3, 4)));
        }
        Path file = dir.resolve("half.safetensors");
        new SafetensorsWriter()
                .addFloats("h", values, new long[] {100, 100}, DType.F16)
                .addFloats("b", values, new long[] {100, 100}, DType.BF16)
                .write(file);

        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            float[] h = f.readFloats("h");
            float[] b = f.readFloats("b");
            for (int i = 0; i < values.length; i++) {
                float v = values[i];
                // Relative error 2^-11 (F16, 10 mantissa bits) and 2^-8 (BF16) for normals; F16 subnormals
                // (below 2^-14) have an absolute step of 2^-24.
                assertThat(h[i]).as("F16 of %s", v).isCloseTo(v, within(Math.max(Math.abs(v) * 0x1p-11f, 0x1p-25f)));
                assertThat(b[i]).as("BF16 of %s", v).isCloseTo(v, within(Math.abs(v) * 0x1p-8f));
            }
        }
    }

    @Test
    void metadataRoundTripsInOrderWithCharactersThatNeedEscaping() throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("quote\"back\\slash", "line\nbreak\ttab\u0001ctl\u007f");
        metadata.put("unicode ✓", "日本語 😀 /slash");
        metadata.put("empty", "");
        Path file = dir.resolve("meta.safetensors");
        new SafetensorsWriter()
                .metadata(metadata)
                .addFloats("w", new float[] {1}, new long[] {1}, DType.F32)
                .write(file);

        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.metadata()).containsExactlyEntriesOf(metadata);
        }
        String header = headerOf(file);
        assertThat(header)
                .startsWith("{\"__metadata__\":{\"format\":\"pt\",\"quote\\\"back\\\\slash\":"
                        + "\"line\\nbreak\\ttab\\u0001ctl\u007f\"");
    }

    @Test
    void fileWithoutMetadataHasEmptyMetadataAndNoMetadataKey() throws IOException {
        Path file = dir.resolve("nometa.safetensors");
        new SafetensorsWriter()
                .metadata(Map.of())
                .addFloats("w", new float[] {1}, new long[] {1}, DType.F32)
                .write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.metadata()).isEmpty();
        }
        assertThat(headerOf(file)).doesNotContain("__metadata__");
    }

    @Test
    void zeroElementTensorsRoundTrip() throws IOException {
        Path file = dir.resolve("empty.safetensors");
        new SafetensorsWriter()
                .addFloats("none", new float[0], new long[] {0, 3}, DType.F32)
                .add("none_i64", DType.I64, new long[] {4, 0}, new byte[0])
                .addFloats("w", new float[] {5, 6}, new long[] {2}, DType.F16)
                .write(file);

        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.info("none").shape()).containsExactly(0, 3);
            assertThat(f.info("none").byteLength()).isZero();
            assertThat(f.readFloats("none")).isEmpty();
            assertThat(f.readBytes("none_i64")).isEmpty();
            INDArray empty = f.readArray("none");
            assertThat(empty.isEmpty()).isTrue();
            assertThat(empty.shape()).containsExactly(0, 3);
            assertThat(f.readFloats("w")).containsExactly(5, 6);
        }
    }

    @Test
    void scalarTensorsRoundTrip() throws IOException {
        Path file = dir.resolve("scalar.safetensors");
        new SafetensorsWriter()
                .addFloats("s", new float[] {2.75f}, new long[0], DType.BF16)
                .addArray("nd_scalar", Nd4j.scalar(-1.5f), DType.F32)
                .write(file);
        assertThat(headerOf(file)).contains("\"s\":{\"dtype\":\"BF16\",\"shape\":[],\"data_offsets\":[4,6]}");

        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.info("s").shape()).isEmpty();
            assertThat(f.info("nd_scalar").shape()).isEmpty();
            assertThat(f.readFloats("s")).containsExactly(2.75f);
            INDArray scalar = f.readArray("nd_scalar");
            assertThat(scalar.rank()).isZero();
            assertThat(scalar.getFloat(0)).isEqualTo(-1.5f);
        }
    }

    @Test
    void arraysRoundTripInCOrderWhateverTheirLayout() throws IOException {
        INDArray c = Nd4j.arange(24).castTo(DataType.FLOAT).reshape('c', 2, 3, 4);
        INDArray transposedView = c.permute(2, 0, 1); // [4, 2, 3], not C-contiguous
        INDArray fOrder = c.dup('f');
        INDArray precise = Nd4j.createFromArray(0.1, 1e-300, Math.PI).castTo(DataType.DOUBLE);
        Path file = dir.resolve("arrays.safetensors");
        new SafetensorsWriter()
                .addArray("c", c, DType.F32)
                .addArray("view", transposedView, DType.F16)
                .addArray("f", fOrder, DType.F64)
                .addArray("precise", precise, DType.F64)
                .write(file);

        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            INDArray back = f.readArray("c");
            assertThat(back.dataType()).isEqualTo(DataType.FLOAT);
            assertThat(back.ordering()).isEqualTo('c');
            assertThat(back.shape()).containsExactly(2, 3, 4);
            assertThat(back.equalsWithEps(c, 0)).isTrue();
            assertThat(f.readFloats("c")[5]).isEqualTo(5f); // element [0, 1, 1] in C order
            INDArray view = f.readArray("view");
            assertThat(view.shape()).containsExactly(4, 2, 3);
            assertThat(view.equalsWithEps(transposedView, 0)).isTrue();
            assertThat(f.readArray("f").equalsWithEps(c, 0)).isTrue();
            assertThat(f.readDoubles("precise")).containsExactly(0.1, 1e-300, Math.PI);
        }
    }

    @Test
    void tensorsAreLaidOutLikeTheOfficialLibrary() throws IOException {
        Path file = dir.resolve("layout.safetensors");
        new SafetensorsWriter()
                .addFloats("a", new float[] {1}, new long[] {1}, DType.F16)
                .addFloats("b", new float[] {1}, new long[] {1}, DType.F32)
                .add("c", DType.I64, new long[] {1}, new byte[8])
                .addFloats("d", new float[] {1}, new long[] {1}, DType.BF16)
                .add("e", DType.U8, new long[] {1}, new byte[1])
                .addFloats("a2", new float[] {1}, new long[] {1}, DType.F16)
                .add("\uD83D\uDE00", DType.BOOL, new long[] {1}, new byte[1]) // UTF-16 sorts it first
                .add("\uFF21", DType.BOOL, new long[] {1}, new byte[1]) // UTF-8 sorts it first
                .write(file);

        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            // Official Dtype order descending (I64 > F32 > BF16 > F16 > U8 > BOOL), then name as UTF-8 bytes.
            assertThat(f.names()).containsExactly("c", "b", "d", "a", "a2", "e", "\uFF21", "\uD83D\uDE00");
            assertThat(f.info("c").begin()).isZero();
            assertThat(f.info("b").begin()).isEqualTo(8);
        }
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .getLong();
        assertThat(headerLength % 8).isZero();
    }

    /** Byte-exact outputs taken from the official library's own serialization tests. */
    @Test
    void outputMatchesTheOfficialLibrarysGoldenBytes() throws IOException {
        float[] data = {0, 1, 2, 3, 4, 5};
        assertThat(bytesOf(new SafetensorsWriter().addFloats("attn.0", data, new long[] {1, 2, 3}, DType.F32)))
                .isEqualTo(concat(
                        le64(64),
                        ascii("{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3]," + "\"data_offsets\":[0,24]}}"),
                        f32(data)));
        assertThat(bytesOf(new SafetensorsWriter().addFloats("attn0", data, new long[] {1, 1, 2, 3}, DType.F32)))
                .isEqualTo(concat(
                        le64(72),
                        ascii("{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],"
                                + "\"data_offsets\":[0,24]}}       "),
                        f32(data)));
        assertThat(bytesOf(new SafetensorsWriter())).isEqualTo(concat(le64(8), ascii("{}      ")));
        assertThat(bytesOf(new SafetensorsWriter().metadata(Map.of("framework", "pt"))))
                .isEqualTo(concat(le64(40), ascii("{\"__metadata__\":{\"framework\":\"pt\"}}     ")));
    }

    @Test
    void unknownTensorNameIsAnIllegalArgumentNamingFileAndTensor() throws IOException {
        Path file = dir.resolve("one.safetensors");
        new SafetensorsWriter()
                .addFloats("w", new float[] {1}, new long[] {1}, DType.F32)
                .write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.contains("w")).isTrue();
            assertThat(f.contains("missing")).isFalse();
            assertThatThrownBy(() -> f.readFloats("missing"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("'missing'");
            assertThatThrownBy(() -> f.info("missing"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("'missing'");
        }
    }

    /** Offsets past 2^31 must work: a sparse 2 GB+ file whose last tensor starts beyond the int range. */
    @Test
    void readsTensorsBeyondTheFirstTwoGigabytes() throws IOException {
        long padBytes = (1L << 31) + 16;
        String header = "{\"pad\":{\"dtype\":\"U8\",\"shape\":[" + padBytes + "],\"data_offsets\":[0," + padBytes
                + "]},\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + padBytes + "," + (padBytes + 8)
                + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("big.safetensors");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(concat(le64(h.length), h)));
            ch.write(ByteBuffer.wrap(f32(new float[] {7.5f, -1f})), 8 + h.length + padBytes); // rest stays sparse
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.info("w").begin()).isEqualTo(padBytes);
            assertThat(f.readFloats("w")).containsExactly(7.5f, -1f);
            assertThatThrownBy(() -> f.readBytes("pad"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContainingAll(file.toString(), "'pad'", "too many for one Java array");
        }
    }

    private byte[] bytesOf(SafetensorsWriter writer) throws IOException {
        Path file = dir.resolve("golden.safetensors");
        writer.write(file);
        return Files.readAllBytes(file);
    }

    private static String headerOf(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int n = (int) ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return new String(all, 8, n, StandardCharsets.UTF_8);
    }

    private interface Fill {
        void fill(ByteBuffer b);
    }

    /** Little-endian bytes of {@code elementSize}-byte elements written by {@code fill}. */
    private static byte[] le(int elementSize, Fill fill) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        fill.fill(b);
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        assertThat(out.length % elementSize).isZero();
        return out;
    }

    private static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static byte[] f32(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
