package io.distillery.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The parity fixtures' weights were written by the official Python safetensors 0.8.0 library. */
class SafetensorsParityTest {

    @TempDir
    Path dir;

    @Test
    void readsTheOfficialTeacherCheckpoint() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(fixture("teacher_beitv2"))) {
            assertThat(f.names()).hasSize(69).contains("cls_token", "blocks.0.attn.qkv.weight");
            assertThat(f.info("blocks.0.attn.qkv.weight").shape()).containsExactly(192, 64);
            assertThat(f.info("blocks.0.attn.qkv.weight").dtype()).isEqualTo(DType.F32);
            assertThat(f.info("cls_token").shape()).containsExactly(1, 1, 64);
            assertThat(f.info("blocks.0.attn.relative_position_bias_table").shape())
                    .containsExactly(52, 4);
            assertThat(f.metadata()).containsEntry("format", "pt").containsEntry("set", "parity");

            INDArray cls = f.readArray("cls_token");
            assertThat(cls.shape()).containsExactly(1, 1, 64);
            float[] flat = f.readFloats("cls_token");
            assertThat(cls.getFloat(0, 0, 63)).isEqualTo(flat[63]);
            assertThat(flat).as("random init, not zeros").isNotEqualTo(new float[64]);
            // The official writer orders a single-dtype file by name, so file order is sorted.
            assertThat(f.names()).isSorted();
        }
    }

    @Test
    void readsTheOfficialStudentCheckpoint() throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(fixture("student_d2v2"))) {
            assertThat(f.names()).hasSize(42);
            assertThat(f.info("blocks.0.attn.qkv.weight").shape()).containsExactly(192, 64);
            assertThat(f.info("blocks.0.attn.qkv.bias").shape()).containsExactly(192);
            assertThat(f.metadata()).containsKeys("format", "model", "fairseq_commit");
        }
    }

    /**
     * Rewriting everything the reader returned reproduces the fixture byte for byte, except for one documented
     * difference: the fixture's header carries {@code __metadata__} as its last entry, while the official library
     * (safetensors/src/tensor.rs, {@code impl Serialize for Metadata}) and this writer put it first. The expected
     * bytes are therefore the fixture with that one entry moved to the front; header length, padding, tensor order,
     * offsets and data must all be identical. (A fixture already in the official order is compared as is.)
     */
    @ParameterizedTest
    @ValueSource(strings = {"teacher_beitv2", "student_d2v2"})
    void rewritingAnOfficialCheckpointIsByteIdentical(String model) throws IOException {
        Path original = fixture(model);
        Path copy = dir.resolve("copy.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(original)) {
            SafetensorsWriter writer = new SafetensorsWriter().metadata(f.metadata());
            for (String name : f.names()) {
                TensorInfo t = f.info(name);
                writer.add(name, t.dtype(), t.shape(), f.readBytes(name));
            }
            writer.write(copy);
        }
        assertThat(Files.readAllBytes(copy)).isEqualTo(withMetadataFirst(Files.readAllBytes(original)));
    }

    /** Going through INDArrays (F32 storage) must not change a bit either. */
    @Test
    void rewritingThroughArraysIsByteIdentical() throws IOException {
        Path original = fixture("teacher_beitv2");
        Path copy = dir.resolve("arrays.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(original)) {
            SafetensorsWriter writer = new SafetensorsWriter().metadata(f.metadata());
            for (String name : f.names()) {
                writer.addArray(name, f.readArray(name), DType.F32);
            }
            writer.write(copy);
        }
        assertThat(Files.readAllBytes(copy)).isEqualTo(withMetadataFirst(Files.readAllBytes(original)));
    }

    @Test
    void withoutMetadataTheRewriteHasNoMetadataEntry() throws IOException {
        Path copy = dir.resolve("bare.safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(fixture("student_d2v2"))) {
            SafetensorsWriter writer = new SafetensorsWriter();
            for (String name : f.names()) {
                writer.add(name, f.info(name).dtype(), f.info(name).shape(), f.readBytes(name));
            }
            writer.write(copy);
            try (SafetensorsFile back = SafetensorsFile.open(copy)) {
                assertThat(back.metadata()).isEmpty();
                assertThat(back.tensors()).isEqualTo(shifted(f.tensors(), 0));
                String qkv = "blocks.0.attn.qkv.weight";
                assertThat(back.readBytes(qkv)).isEqualTo(f.readBytes(qkv));
            }
        }
    }

    /** The fixture's bytes with a trailing {@code "__metadata__"} header entry moved to the front. */
    private static byte[] withMetadataFirst(byte[] file) {
        int n = (int) ByteBuffer.wrap(file, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(file, 8, n, StandardCharsets.UTF_8);
        String json = header.stripTrailing();
        String key = ",\"__metadata__\":";
        int at = json.indexOf(key);
        if (json.startsWith("{\"__metadata__\":") || at < 0) {
            return file;
        }
        assertThat(json).as("metadata is the last entry").endsWith("}}");
        String reordered = "{" + json.substring(at + 1, json.length() - 1) + "," + json.substring(1, at) + "}";
        byte[] out = file.clone();
        byte[] moved = (reordered + header.substring(json.length())).getBytes(StandardCharsets.UTF_8);
        assertThat(moved).hasSize(n);
        System.arraycopy(moved, 0, out, 8, n);
        return out;
    }

    private static List<TensorInfo> shifted(List<TensorInfo> tensors, long by) {
        return tensors.stream()
                .map(t -> new TensorInfo(t.name(), t.dtype(), t.shape(), t.begin() + by, t.end() + by))
                .collect(Collectors.toList());
    }

    private Path fixture(String model) {
        URL url = getClass().getResource("/parity/" + model + "/weights.safetensors");
        assertThat(url).as("fixture %s on the test classpath", model).isNotNull();
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
