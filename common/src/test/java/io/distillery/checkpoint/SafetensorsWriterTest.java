package io.distillery.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {

    @TempDir
    Path dir;

    @Test
    void rejectsDuplicateNames() {
        SafetensorsWriter w = new SafetensorsWriter().addFloats("w", new float[] {1}, new long[] {1}, DType.F32);
        assertThatThrownBy(() -> w.add("w", DType.U8, new long[] {1}, new byte[1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("duplicate", "'w'");
    }

    @Test
    void rejectsShapeAndByteLengthMismatches() {
        SafetensorsWriter w = new SafetensorsWriter();
        assertThatThrownBy(() -> w.add("w", DType.F32, new long[] {2, 3}, new byte[23]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("'w'", "[2, 3]", "24 bytes", "got 23");
        assertThatThrownBy(() -> w.addFloats("w", new float[5], new long[] {2, 3}, DType.F16))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContainingAll("'w'", "6 elements", "got 5");
        assertThatThrownBy(() -> w.add("w", DType.F32, new long[] {-1}, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> w.addFloats("w", new float[1], new long[] {1}, DType.I32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot store floats as I32");
        assertThatThrownBy(() -> w.add("w", DType.F64, new long[] {1L << 40, 1L << 40}, out -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'w'");
    }

    @Test
    void rejectsReservedNames() {
        SafetensorsWriter w = new SafetensorsWriter();
        assertThatThrownBy(() -> w.addFloats("__metadata__", new float[1], new long[] {1}, DType.F32))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("__");
        assertThatThrownBy(() -> w.add("__x", DType.U8, new long[] {1}, new byte[1]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> w.add("lone\uD800surrogate", DType.U8, new long[] {1}, new byte[1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("surrogate");
    }

    @Test
    void streamedSourcesAreWrittenInPlace() throws IOException {
        Path file = dir.resolve("model.safetensors");
        new SafetensorsWriter()
                .add("big", DType.U8, new long[] {100_000}, out -> {
                    for (int i = 0; i < 100_000; i++) {
                        out.write(i);
                    }
                })
                .write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            byte[] data = f.readBytes("big");
            assertThat(data).hasSize(100_000);
            assertThat(data[99_999]).isEqualTo((byte) 99_999);
        }
    }

    @Test
    void overwritingReplacesTheFileAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        writeVersion(file, 1f);
        writeVersion(file, 2f);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.readFloats("w")).containsExactly(2f, 2f);
        }
        assertThat(listing()).containsExactly("model.safetensors");
    }

    @Test
    void aSourceFailingMidwayLeavesThePreviousFileUntouched() throws IOException {
        Path file = dir.resolve("model.safetensors");
        writeVersion(file, 1f);
        byte[] before = Files.readAllBytes(file);

        SafetensorsWriter failing = new SafetensorsWriter()
                .addFloats("w", new float[] {3, 3}, new long[] {2}, DType.F32)
                .add("z", DType.U8, new long[] {1 << 20}, out -> {
                    out.write(new byte[1 << 19]); // half the tensor, then the "crash"
                    throw new IOException("disk on fire");
                });
        assertThatThrownBy(() -> failing.write(file))
                .isInstanceOf(IOException.class)
                .hasMessage("disk on fire");

        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(listing()).containsExactly("model.safetensors");
    }

    @Test
    void aSourceWritingTheWrongLengthFailsAndLeavesNothing() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter tooShort = new SafetensorsWriter().add("t", DType.F32, new long[] {4}, out -> out.write(1));
        assertThatThrownBy(() -> tooShort.write(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContainingAll("'t'", "1 of 16 bytes");
        SafetensorsWriter tooLong =
                new SafetensorsWriter().add("t", DType.F32, new long[] {1}, out -> out.write(new byte[5]));
        assertThatThrownBy(() -> tooLong.write(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContainingAll("'t'", "more than 4 bytes");

        assertThat(file).doesNotExist();
        assertThat(listing()).isEmpty();
    }

    @Test
    void aMissingTargetDirectoryFailsWithoutSideEffects() {
        Path file = dir.resolve("missing").resolve("model.safetensors");
        SafetensorsWriter w = new SafetensorsWriter().addFloats("w", new float[] {1}, new long[] {1}, DType.F32);
        assertThatThrownBy(() -> w.write(file)).isInstanceOf(NoSuchFileException.class);
        assertThat(dir.resolve("missing")).doesNotExist();
    }

    @Test
    void layoutReportsTheOffsetsWriteWillUse() {
        List<TensorInfo> layout = new SafetensorsWriter()
                .addFloats("small", new float[] {1, 2}, new long[] {2}, DType.F16)
                .addFloats("wide", new float[] {1}, new long[] {1}, DType.F64)
                .layout();
        assertThat(layout)
                .containsExactly(
                        new TensorInfo("wide", DType.F64, new long[] {1}, 0, 8),
                        new TensorInfo("small", DType.F16, new long[] {2}, 8, 12));
    }

    private static void writeVersion(Path file, float value) throws IOException {
        new SafetensorsWriter()
                .addFloats("w", new float[] {value, value}, new long[] {2}, DType.F32)
                .write(file);
    }

    private List<String> listing() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
