package io.distillery.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One malformed file per check of {@link SafetensorsHeader}; each must be rejected with a one-line message. */
class SafetensorsValidationTest {

    private static final String W_OK = "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    @TempDir
    Path dir;

    @Test
    void wellFormedHandWrittenFileIsAccepted() throws IOException {
        // Header order differs from byte order, a zero-length tensor sits at the end, null metadata, whitespace.
        Path file = withHeader(
                " { \"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                        + "\"__metadata__\":null,\"z\":{\"dtype\":\"F16\",\"shape\":[0,2],\"data_offsets\":[8,8],\"x\":1},"
                        + "\"a\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]} }",
                8);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.names()).containsExactly("a", "b", "z");
            assertThat(f.metadata()).isEmpty();
            assertThat(f.dataStart()).isEqualTo(Files.size(file) - 8);
        }
        try (SafetensorsFile f = SafetensorsFile.open(withHeader("{}", 0))) {
            assertThat(f.names()).isEmpty();
        }
    }

    @Test
    void fileShorterThanTheLengthPrefix() throws IOException {
        Path file = raw(new byte[] {8, 0, 0, 0, 0});
        assertRejected(file, "5 bytes", "too short");
    }

    @Test
    void headerLengthBeyondTheFile() throws IOException {
        Path file = raw(concat(le64(100), utf8("{}")));
        assertRejected(file, "header length 100", "past the end of the file");
    }

    @Test
    void headerLengthAboveTheLimit() throws IOException {
        assertRejected(raw(concat(le64(100_000_001), utf8("{}      "))), "100000001", "exceeds the limit");
        assertRejected(raw(concat(le64(-1), utf8("{}      "))), "18446744073709551615", "exceeds the limit");
    }

    @Test
    void headerNotUtf8() throws IOException {
        byte[] header = concat(utf8("{\"w"), new byte[] {(byte) 0xC3, 0x28}, utf8("\":{}}"));
        assertRejected(raw(concat(le64(header.length), header)), "not valid UTF-8");
    }

    @Test
    void headerNotJson() throws IOException {
        assertRejected(withHeader("{\"w\":{\"dtype\":\"F32\",", 0), "not valid JSON");
        assertRejected(withHeader("{" + W_OK + "} trailing", 8), "not valid JSON");
    }

    @Test
    void headerNotAnObject() throws IOException {
        assertRejected(withHeader("[1,2]", 0), "header is not a JSON object");
        assertRejected(withHeader("", 0), "header is not a JSON object");
    }

    @Test
    void duplicateTensorName() throws IOException {
        assertRejected(withHeader("{" + W_OK + "," + W_OK + "}", 8), "'w'", "uplicate");
    }

    @Test
    void entryNotAnObject() throws IOException {
        assertRejected(withHeader("{\"w\":[0,8]}", 8), "tensor 'w' entry is not a JSON object");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dtype", "shape", "data_offsets"})
    void entryMissingAField(String field) throws IOException {
        String entry = W_OK.replace("\"" + field + "\":", "\"renamed_" + field + "\":");
        assertRejected(withHeader("{" + entry + "}", 8), "tensor 'w' has no \"" + field + "\"");
    }

    @Test
    void unknownDtype() throws IOException {
        assertRejected(withHeader("{" + W_OK.replace("F32", "F128") + "}", 8), "tensor 'w'", "unknown dtype 'F128'");
        assertRejected(withHeader("{" + W_OK.replace("\"F32\"", "32") + "}", 8), "tensor 'w' dtype 32", "not a string");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[-2]", "[2.0]", "[\"2\"]", "[null]", "[99999999999999999999]"})
    void invalidShapeDimension(String shape) throws IOException {
        assertRejected(
                withHeader("{" + W_OK.replace("[2]", shape) + "}", 8),
                "tensor 'w' shape",
                "dimensions must be non-negative integers");
    }

    @Test
    void shapeNotAnArray() throws IOException {
        assertRejected(withHeader("{" + W_OK.replace("[2]", "2") + "}", 8), "tensor 'w' shape 2 is not an array");
    }

    @Test
    void shapeWhoseByteCountOverflows() throws IOException {
        assertRejected(
                withHeader("{" + W_OK.replace("[2]", "[4294967296,4294967296]") + "}", 8), "tensor 'w'", "overflows");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[0]", "[0,8,8]", "[-8,0]", "[0,8.5]", "\"0,8\"", "[0,null]"})
    void offsetsNotTwoNonNegativeIntegers(String offsets) throws IOException {
        assertRejected(
                withHeader("{" + W_OK.replace("[0,8]", offsets) + "}", 8),
                "tensor 'w' data_offsets",
                "is not two non-negative integers");
    }

    @Test
    void offsetsBeginAfterEnd() throws IOException {
        assertRejected(
                withHeader("{" + W_OK.replace("[0,8]", "[8,0]") + "}", 8),
                "tensor 'w' byte range [8, 0)",
                "begins after it ends");
    }

    @Test
    void rangeEndsBeyondTheDataArea() throws IOException {
        // A truncated file: the header promises 8 bytes, 5 are there.
        assertRejected(
                withHeader("{" + W_OK + "}", 5),
                "tensor 'w' byte range [0, 8)",
                "ends beyond the data area of 5 bytes");
    }

    @Test
    void shapeTimesDtypeSizeDiffersFromTheByteRange() throws IOException {
        Path file = withHeader(
                "{\"blocks.0.attn.qkv.weight\":{\"dtype\":\"F32\",\"shape\":[192,64]," + "\"data_offsets\":[0,1000]}}",
                1000);
        assertRejected(file);
        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .hasMessage(file + ": tensor 'blocks.0.attn.qkv.weight'"
                        + " has shape [192, 64] x F32 = 49152 bytes but its byte range [0, 1000) is 1000 bytes");
    }

    @Test
    void overlappingRanges() throws IOException {
        Path file = withHeader(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}",
                24);
        assertRejected(file, "tensors 'a' [0, 16) and 'b' [8, 24) overlap");
    }

    @Test
    void gapBetweenRanges() throws IOException {
        Path file = withHeader(
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}",
                20);
        assertRejected(file, "4 bytes [8, 12)", "before tensor 'b'", "not covered by any tensor");
        assertRejected(withHeader("{" + W_OK.replace("[0,8]", "[4,12]") + "}", 12), "4 bytes [0, 4)", "tensor 'w'");
    }

    @Test
    void unusedBytesAtTheEndOfTheDataArea() throws IOException {
        assertRejected(withHeader("{" + W_OK + "}", 12), "4 unused bytes at the end of the data area");
    }

    @Test
    void metadataNotAStringMap() throws IOException {
        assertRejected(
                withHeader("{\"__metadata__\":[\"pt\"]," + W_OK + "}", 8),
                "__metadata__ is not a JSON object of strings");
        assertRejected(
                withHeader("{\"__metadata__\":{\"format\":\"pt\",\"epoch\":3}," + W_OK + "}", 8),
                "__metadata__ entry 'epoch' is not a string");
    }

    @Test
    void controlCharactersInNamesDoNotBreakTheMessageLine() throws IOException {
        String entry = W_OK.replace("\"w\"", "\"evil\\nname\\u2028x\"").replace("F32", "F99");
        assertRejected(withHeader("{" + entry + "}", 8), "tensor 'evil\\nname\\u2028x'");
    }

    /** Opening fails with a one-line CheckpointFormatException naming the file and containing every fragment. */
    private static void assertRejected(Path file, String... fragments) {
        assertThatThrownBy(() -> SafetensorsFile.open(file).close())
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageStartingWith(file + ": ")
                .satisfies(e -> {
                    assertThat(e.getMessage()).doesNotContain("\n", "\r", "\u2028");
                    for (String fragment : fragments) {
                        assertThat(e.getMessage()).contains(fragment);
                    }
                });
    }

    /** A file with {@code header} (unpadded, length as given) and {@code dataBytes} zero bytes of data. */
    private Path withHeader(String header, int dataBytes) throws IOException {
        byte[] h = utf8(header);
        return raw(concat(le64(h.length), h, new byte[dataBytes]));
    }

    private Path raw(byte[] content) throws IOException {
        Path file = Files.createTempFile(dir, "bad", ".safetensors");
        return Files.write(file, content);
    }

    private static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
