package io.distillery.importer;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST format: big-endian magic {@code 0x0000TTDD} with element type TT and DD dimensions, DD
 * big-endian int32 sizes, then the elements) holding unsigned bytes: IDX3 images ({@code count x rows x cols}) and
 * IDX1 labels. Files may be gzip-compressed (recognised by their content, whatever their name).
 *
 * <p>Reading is strict: the magic, the element type, the number of dimensions and their sizes are checked, and the
 * data must hold exactly the declared number of elements: a truncated file, trailing bytes or a damaged gzip stream
 * are errors. Every error is an {@link IdxFormatException} with a one-line message naming the file.
 */
public final class IdxReader {
    /** Element type code of unsigned bytes, the only one read. */
    static final int UNSIGNED_BYTE = 0x08;
    /** The most data bytes read into one array. */
    static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 8;

    private IdxReader() {}

    /** Reads an IDX3 unsigned-byte image file. */
    public static IdxImages readImages(Path file) throws IOException {
        Parsed idx = read(file, 3, "images");
        return new IdxImages(file, idx.dims[0], idx.dims[1], idx.dims[2], idx.data);
    }

    /** Reads an IDX1 unsigned-byte label file. */
    public static IdxLabels readLabels(Path file) throws IOException {
        return new IdxLabels(file, read(file, 1, "labels").data);
    }

    /** The magic number of an unsigned-byte IDX file with {@code dims} dimensions. */
    static int magic(int dims) {
        return UNSIGNED_BYTE << 8 | dims;
    }

    private record Parsed(int[] dims, byte[] data) {}

    private static Parsed read(Path file, int expectedDims, String kind) throws IOException {
        boolean gzip = isGzip(file);
        try (InputStream in = open(file, gzip)) {
            return parse(file, new DataInputStream(in), expectedDims, kind);
        } catch (ZipException | EOFException e) {
            // Only the gzip stream throws these: the parser reads with readNBytes and checks the counts itself.
            throw new IdxFormatException(file + ": truncated or damaged gzip data (" + e.getMessage() + ")", e);
        }
    }

    private static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(2);
            return head.length == 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B;
        }
    }

    private static InputStream open(Path file, boolean gzip) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            return gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    private static Parsed parse(Path file, DataInputStream in, int expectedDims, String kind) throws IOException {
        int expectedMagic = magic(expectedDims);
        String expectation = String.format(
                Locale.ROOT,
                "expected 0x%08X for unsigned-byte %s, %d dimension%s",
                expectedMagic,
                kind,
                expectedDims,
                expectedDims == 1 ? "" : "s");
        byte[] magicBytes = in.readNBytes(4);
        if (magicBytes.length < 4) {
            throw new IdxFormatException(file + ": truncated: "
                    + (magicBytes.length == 0
                            ? "the file is empty"
                            : "ends after " + magicBytes.length + " bytes, inside the 4-byte magic number")
                    + "; " + expectation);
        }
        int magic = ByteBuffer.wrap(magicBytes).getInt();
        String found = String.format(Locale.ROOT, "magic number 0x%08X", magic);
        if ((magic >>> 16) != 0) {
            throw new IdxFormatException(file + ": not an IDX file: " + found + ", " + expectation);
        }
        int type = magic >>> 8 & 0xFF;
        if (type != UNSIGNED_BYTE) {
            throw new IdxFormatException(file + ": " + found + " declares element type "
                    + String.format(Locale.ROOT, "0x%02X (%s)", type, typeName(type))
                    + "; only unsigned bytes (0x08) are read, " + expectation);
        }
        int dims = magic & 0xFF;
        if (dims != expectedDims) {
            throw new IdxFormatException(file + ": " + found + " declares " + dims + " dimension"
                    + (dims == 1 ? "" : "s") + ", " + kind + " need " + expectedDims + " (" + expectation
                    + (dims == 1 ? "; is this a label file?" : dims == 3 ? "; is this an image file?" : "") + ")");
        }
        long headerBytes = 4L + 4L * dims;
        byte[] sizeBytes = in.readNBytes(4 * dims);
        if (sizeBytes.length < 4 * dims) {
            throw new IdxFormatException(file + ": truncated: ends after " + (4 + sizeBytes.length)
                    + " bytes, inside the " + headerBytes + "-byte header");
        }
        ByteBuffer sizes = ByteBuffer.wrap(sizeBytes);
        int[] shape = new int[dims];
        long elements = 1;
        for (int d = 0; d < dims; d++) {
            long size = Integer.toUnsignedLong(sizes.getInt());
            // The count may be 0; image sides may not.
            if (size > Integer.MAX_VALUE || (d > 0 && size == 0)) {
                throw new IdxFormatException(file + ": dimension " + d + " has size " + size + ", "
                        + (size == 0 ? "an image side must be at least 1" : "more than this reader supports"));
            }
            shape[d] = (int) size;
            elements *= size;
            if (elements > MAX_DATA_BYTES) {
                throw new IdxFormatException(file + ": declares " + describe(shape, d + 1, kind) + ", more than the "
                        + MAX_DATA_BYTES + " bytes this reader holds in memory");
            }
        }
        String declared =
                describe(shape, dims, kind) + " (" + elements + " bytes after the " + headerBytes + "-byte header)";
        byte[] data = in.readNBytes((int) elements);
        if (data.length < elements) {
            throw new IdxFormatException(
                    file + ": truncated: declares " + declared + " but holds only " + data.length + " data bytes");
        }
        long trailing = in.transferTo(OutputStream.nullOutputStream());
        if (trailing > 0) {
            throw new IdxFormatException(file + ": " + trailing + " trailing bytes after the data: declares " + declared
                    + "; wrong count in the header?");
        }
        return new Parsed(shape, data);
    }

    private static String describe(int[] shape, int known, String kind) {
        StringBuilder text = new StringBuilder().append(shape[0]).append(' ').append(kind);
        if (known > 1) {
            text.append(" of ");
            for (int d = 1; d < known; d++) {
                text.append(d > 1 ? "x" : "").append(shape[d]);
            }
        }
        return text.toString();
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0x09 -> "signed byte";
            case 0x0B -> "int16";
            case 0x0C -> "int32";
            case 0x0D -> "float32";
            case 0x0E -> "float64";
            default -> "unknown";
        };
    }
}
