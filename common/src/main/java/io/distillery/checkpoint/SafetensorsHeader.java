package io.distillery.checkpoint;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed header of a safetensors file, validated against the file before anything trusts it: the same rules
 * as the official library (size limits, known dtypes, shape x dtype size = byte range, tensors covering the data
 * area exactly, without gaps or overlaps), plus duplicate names. Every failure is a one-line
 * {@link CheckpointFormatException} naming the file and, where one is involved, the tensor.
 */
final class SafetensorsHeader {

    /** The official library's MAX_HEADER_SIZE; a larger header means a corrupt or hostile file. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    static final int LENGTH_PREFIX_BYTES = 8;
    static final String METADATA_KEY = "__metadata__";

    private static final int MAX_JSON_IN_MESSAGE = 80;

    // Strict parsing: a duplicate name would silently shadow a tensor, trailing junk means a corrupt header, and
    // the string limit must allow metadata values as long as the whole header may be.
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxStringLength((int) MAX_HEADER_BYTES)
                            .build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Absolute file position of the data area. */
    final long dataStart;
    /** Tensors in byte-range order ("file order"). */
    final List<TensorInfo> tensors;

    final Map<String, TensorInfo> byName;
    final Map<String, String> metadata;

    private SafetensorsHeader(long dataStart, List<TensorInfo> tensors, Map<String, String> metadata) {
        this.dataStart = dataStart;
        this.tensors = Collections.unmodifiableList(tensors);
        Map<String, TensorInfo> index = new LinkedHashMap<>();
        for (TensorInfo t : tensors) {
            index.put(t.name(), t);
        }
        this.byName = Collections.unmodifiableMap(index);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /** Reads and validates the header of the open file {@code ch}; {@code file} names it in messages. */
    static SafetensorsHeader read(FileChannel ch, String file) throws IOException {
        long size = ch.size();
        if (size < LENGTH_PREFIX_BYTES) {
            throw fail(file, "file is " + size + " bytes, too short for the 8-byte header length");
        }
        long n = readFully(ch, file, 0, LENGTH_PREFIX_BYTES)
                .order(ByteOrder.LITTLE_ENDIAN)
                .getLong();
        if (n < 0 || n > MAX_HEADER_BYTES) { // n < 0: an unsigned length above 2^63
            throw fail(
                    file,
                    "header length " + Long.toUnsignedString(n) + " bytes exceeds the limit of " + MAX_HEADER_BYTES
                            + " bytes");
        }
        if (n > size - LENGTH_PREFIX_BYTES) {
            throw fail(
                    file,
                    "header length " + n + " bytes runs past the end of the file (only " + (size - LENGTH_PREFIX_BYTES)
                            + " bytes follow the length)");
        }
        byte[] header = readFully(ch, file, LENGTH_PREFIX_BYTES, (int) n).array();
        return parse(file, header, LENGTH_PREFIX_BYTES + n, size - LENGTH_PREFIX_BYTES - n);
    }

    private static SafetensorsHeader parse(String file, byte[] headerBytes, long dataStart, long dataLength) {
        String json = Text.decodeUtf8OrNull(headerBytes);
        if (json == null) {
            throw fail(file, "header is not valid UTF-8");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " at character " + e.getLocation().getCharOffset();
            throw fail(file, "header is not valid JSON: " + Text.oneLine(e.getOriginalMessage()) + where);
        }
        if (root == null || !root.isObject()) {
            throw fail(file, "header is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = parseMetadata(file, field.getValue());
            } else {
                tensors.add(parseTensor(file, field.getKey(), field.getValue(), dataLength));
            }
        }
        return new SafetensorsHeader(dataStart, checkCoverage(file, tensors, dataLength), metadata);
    }

    private static Map<String, String> parseMetadata(String file, JsonNode node) {
        Map<String, String> metadata = new LinkedHashMap<>();
        if (node.isNull()) {
            return metadata; // the official library reads null as "no metadata"
        }
        if (!node.isObject()) {
            throw fail(file, METADATA_KEY + " is not a JSON object of strings: " + abbreviate(node));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw fail(
                        file,
                        METADATA_KEY + " entry " + Text.quote(e.getKey()) + " is not a string: "
                                + abbreviate(e.getValue()));
            }
            metadata.put(e.getKey(), e.getValue().textValue());
        }
        return metadata;
    }

    private static TensorInfo parseTensor(String file, String name, JsonNode node, long dataLength) {
        String tensor = "tensor " + Text.quote(name);
        if (!node.isObject()) {
            throw fail(file, tensor + " entry is not a JSON object: " + abbreviate(node));
        }
        DType dtype = parseDtype(file, tensor, required(file, tensor, node, "dtype"));
        long[] shape = parseShape(file, tensor, required(file, tensor, node, "shape"));
        JsonNode offsets = required(file, tensor, node, "data_offsets");
        if (!offsets.isArray()
                || offsets.size() != 2
                || nonNegative(offsets.get(0)) < 0
                || nonNegative(offsets.get(1)) < 0) {
            throw fail(
                    file,
                    tensor + " data_offsets " + abbreviate(offsets) + " is not two non-negative integers [begin, end]");
        }
        long begin = offsets.get(0).longValue();
        long end = offsets.get(1).longValue();
        String range = "[" + begin + ", " + end + ")";
        if (begin > end) {
            throw fail(file, tensor + " byte range " + range + " begins after it ends");
        }
        if (end > dataLength) {
            throw fail(
                    file, tensor + " byte range " + range + " ends beyond the data area of " + dataLength + " bytes");
        }
        long expected = byteCount(file, tensor, shape, dtype);
        if (expected != end - begin) {
            throw fail(
                    file,
                    tensor + " has shape " + Arrays.toString(shape) + " x " + dtype + " = " + expected
                            + " bytes but its byte range " + range + " is " + (end - begin) + " bytes");
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static JsonNode required(String file, String tensor, JsonNode entry, String key) {
        JsonNode value = entry.get(key);
        if (value == null) {
            throw fail(file, tensor + " has no \"" + key + "\"");
        }
        return value;
    }

    private static DType parseDtype(String file, String tensor, JsonNode node) {
        if (!node.isTextual()) {
            throw fail(file, tensor + " dtype " + abbreviate(node) + " is not a string");
        }
        return DType.fromSafetensorsName(node.textValue())
                .orElseThrow(() -> fail(
                        file,
                        tensor
                                + " has unknown dtype " + Text.quote(node.textValue()) + " (supported: "
                                + DType.supportedNames()
                                + ")"));
    }

    private static long[] parseShape(String file, String tensor, JsonNode node) {
        if (!node.isArray()) {
            throw fail(file, tensor + " shape " + abbreviate(node) + " is not an array");
        }
        long[] shape = new long[node.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = nonNegative(node.get(i));
            if (shape[i] < 0) {
                throw fail(
                        file,
                        tensor + " shape " + abbreviate(node) + " has dimension " + abbreviate(node.get(i))
                                + " at index " + i + "; dimensions must be non-negative integers");
            }
        }
        return shape;
    }

    private static long byteCount(String file, String tensor, long[] shape, DType dtype) {
        try {
            long n = dtype.byteSize();
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        } catch (ArithmeticException e) {
            throw new CheckpointFormatException(
                    file + ": " + tensor + " shape " + Arrays.toString(shape) + " x " + dtype
                            + " overflows a 64-bit byte count",
                    e);
        }
    }

    /**
     * Orders the tensors by byte range and checks that they tile the data area exactly: the official library
     * rejects gaps, overlaps and trailing bytes ("MetadataIncompleteBuffer"), and so does this reader.
     */
    private static List<TensorInfo> checkCoverage(String file, List<TensorInfo> tensors, long dataLength) {
        List<TensorInfo> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long covered = 0;
        TensorInfo previous = null;
        for (TensorInfo t : sorted) {
            if (t.begin() < covered) {
                throw fail(
                        file,
                        "tensors " + Text.quote(previous.name()) + " " + range(previous) + " and "
                                + Text.quote(t.name()) + " " + range(t) + " overlap");
            }
            if (t.begin() > covered) {
                throw fail(
                        file,
                        (t.begin() - covered) + " bytes [" + covered + ", " + t.begin()
                                + ") of the data area before tensor " + Text.quote(t.name())
                                + " are not covered by any tensor");
            }
            covered = t.end();
            previous = t;
        }
        if (covered < dataLength) {
            throw fail(
                    file,
                    (dataLength - covered) + " unused bytes at the end of the data area (tensors end at " + covered
                            + " of " + dataLength + " bytes)");
        }
        return sorted;
    }

    private static String range(TensorInfo t) {
        return "[" + t.begin() + ", " + t.end() + ")";
    }

    /** The value of a JSON integer that fits a non-negative long, else -1. */
    private static long nonNegative(JsonNode node) {
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            return -1;
        }
        return node.longValue();
    }

    private static String abbreviate(JsonNode node) {
        String s = Text.oneLine(node.toString());
        return s.length() <= MAX_JSON_IN_MESSAGE ? s : s.substring(0, MAX_JSON_IN_MESSAGE) + "...";
    }

    static CheckpointFormatException fail(String file, String problem) {
        return new CheckpointFormatException(file + ": " + problem);
    }

    /** Positional read of exactly {@code length} bytes (the file may shrink after it was validated). */
    static ByteBuffer readFully(FileChannel ch, String file, long position, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        readFully(ch, file, position, b);
        return b.flip();
    }

    static void readFully(FileChannel ch, String file, long position, ByteBuffer into) throws IOException {
        long start = position - into.position();
        while (into.hasRemaining()) {
            if (ch.read(into, start + into.position()) < 0) {
                throw new EOFException(file + ": unexpected end of file at byte " + (start + into.position()));
            }
        }
    }
}
