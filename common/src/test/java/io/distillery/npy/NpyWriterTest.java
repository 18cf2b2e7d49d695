package io.distillery.npy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NpyWriterTest {

    @TempDir
    Path dir;

    @Test
    void headerForFloat32ArrayIsWhatNumpyParses() throws IOException {
        Path f = dir.resolve("a.npy");
        NpyWriter.write(f, new float[6 * 17 * 64], 6, 17, 64);
        byte[] bytes = Files.readAllBytes(f);

        assertThat(Arrays.copyOf(bytes, 6)).isEqualTo(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'});
        assertThat(bytes[6]).isEqualTo((byte) 1);
        assertThat(bytes[7]).isEqualTo((byte) 0);
        int headerLength =
                ByteBuffer.wrap(bytes, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF;
        int dataStart = 10 + headerLength;
        assertThat(dataStart % 64).isZero();
        assertThat(bytes.length - dataStart).isEqualTo(4 * 6 * 17 * 64);
        String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
        assertThat(header)
                .startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (6, 17, 64), }")
                .endsWith("\n");
        assertThat(header.substring(header.indexOf('}') + 1, header.length() - 1))
                .isBlank();
    }

    @Test
    void outputIsByteForByteWhatNumpyWroteForTheTeacherEmbedding() throws IOException {
        assertRewriteIsIdentical(ParityFiles.file("teacher_beitv2/embed.npy"));
    }

    static Stream<String> fixtureNpyFiles() {
        return NpyReaderTest.manifestArrays().map(a -> a.get("npy").asText());
    }

    @ParameterizedTest
    @MethodSource("fixtureNpyFiles")
    void everyFixtureRewritesIdentically(String npy) throws IOException {
        assertRewriteIsIdentical(ParityFiles.file(npy));
    }

    private void assertRewriteIsIdentical(Path numpyFile) throws IOException {
        Path ours = dir.resolve("rewritten.npy");
        NpyWriter.write(ours, NpyReader.read(numpyFile));
        assertThat(Files.readAllBytes(ours)).isEqualTo(Files.readAllBytes(numpyFile));
    }

    @Test
    void floatArrayRoundTripsForSeveralRanks() throws IOException {
        for (long[] shape : List.of(new long[] {2, 3, 4}, new long[] {5}, new long[] {1, 1}, new long[] {})) {
            int n = (int) Arrays.stream(shape).reduce(1, Math::multiplyExact);
            float[] data = new float[n];
            for (int i = 0; i < n; i++) {
                data[i] = (float) Math.sin(i) * 1e3f - i;
            }
            Path f = dir.resolve("r" + shape.length + ".npy");
            NpyWriter.write(f, data, shape);

            INDArray back = NpyReader.read(f);
            assertThat(back.dataType()).isEqualTo(DataType.FLOAT);
            assertThat(back.shape()).as("shape").isEqualTo(shape);
            assertThat(back.reshape(n).toFloatVector()).isEqualTo(data);
        }
    }

    @Test
    void emptyArrayRoundTrips() throws IOException {
        Path f = dir.resolve("empty.npy");
        NpyWriter.write(f, new float[0], 0, 3);
        INDArray back = NpyReader.read(f);
        assertThat(back.shape()).isEqualTo(new long[] {0, 3});
        assertThat(back.length()).isZero();
    }

    @Test
    void viewsAreWrittenInCOrder() throws IOException {
        INDArray m = Nd4j.arange(12).castTo(DataType.FLOAT).reshape(3, 4);
        INDArray transposed = m.transpose(); // a strided view, [4, 3]
        Path f = dir.resolve("t.npy");
        NpyWriter.write(f, transposed);

        INDArray back = NpyReader.read(f);
        assertThat(back.shape()).isEqualTo(new long[] {4, 3});
        assertThat(back.reshape(12).toFloatVector()).isEqualTo(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
    }

    @Test
    void writeKeepingDoubleStoresFloat64Exactly() throws IOException {
        INDArray d = Nd4j.create(new double[] {0.1, -2.5, 1e300, 1e-300, 3, 4}, new long[] {2, 3}, DataType.DOUBLE);
        Path f = dir.resolve("d64.npy");
        NpyWriter.writeKeepingDouble(f, d.transpose());
        String header = new String(Files.readAllBytes(f), 0, 128, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(header).contains("'descr': '<f8'").contains("'shape': (3, 2)");
        INDArray back = NpyReader.readExact(f);
        assertThat(back.dataType()).isEqualTo(DataType.DOUBLE);
        assertThat(back).isEqualTo(d.transpose());
        assertThat(Files.size(f)).isEqualTo(128 + 6 * 8);

        Path g = dir.resolve("f32.npy");
        NpyWriter.writeKeepingDouble(g, d.castTo(DataType.FLOAT));
        assertThat(NpyReader.readExact(g).dataType()).isEqualTo(DataType.FLOAT);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")))
                    .isEmpty();
        }
    }

    @Test
    void doubleArrayIsStoredAsFloat32() throws IOException {
        INDArray d = Nd4j.create(new double[] {0.1, -2.5, 1e10}, new long[] {3}, DataType.DOUBLE);
        Path f = dir.resolve("d.npy");
        NpyWriter.write(f, d);
        assertThat(NpyReader.read(f).toFloatVector()).isEqualTo(new float[] {0.1f, -2.5f, 1e10f});
    }

    @Test
    void overwritesAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
        Path f = dir.resolve("x.npy");
        NpyWriter.write(f, new float[] {1, 2}, 2);
        NpyWriter.write(f, new float[] {3, 4, 5}, 3);
        assertThat(NpyReader.read(f).toFloatVector()).isEqualTo(new float[] {3, 4, 5});
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(f);
        }
    }

    @Test
    void shapeThatDoesNotMatchTheDataIsRejected() {
        assertThatThrownBy(() -> NpyWriter.write(dir.resolve("bad.npy"), new float[5], 2, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[2, 3]")
                .hasMessageContaining("5 values");
        assertThat(dir.resolve("bad.npy")).doesNotExist();
    }

    /** A full disk says only "No space left on device" (or "out of space"): the error must name the file. */
    @Test
    void aFullDiskNamesTheFile() throws IOException {
        try (java.nio.file.FileSystem small =
                com.google.common.jimfs.Jimfs.newFileSystem(com.google.common.jimfs.Configuration.unix().toBuilder()
                        .setMaxSize(64 * 1024)
                        .setBlockSize(4096)
                        .build())) {
            Path dir = Files.createDirectories(small.getPath("/out"));
            Path file = dir.resolve("block_out_01.npy");
            assertThatThrownBy(() -> NpyWriter.write(file, new float[200_000], 200_000))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("/out/block_out_01.npy");
            try (Stream<Path> left = Files.list(dir)) {
                assertThat(left).as("no partial file left behind").isEmpty();
            }
        }
    }
}
