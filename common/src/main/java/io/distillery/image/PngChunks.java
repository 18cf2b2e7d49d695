package io.distillery.image;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Walks a PNG's chunks. The JDK's PNG reader ignores chunk CRCs, so a flipped bit in IDAT can decode into
 * silently wrong pixels; like libpng, a CRC mismatch in a critical chunk (IHDR, PLTE, IDAT, IEND) is damage.
 *
 * @param endsEarly         the data stops inside a chunk or before IEND
 * @param corruptChunk      the type of the first critical chunk whose CRC does not match, or null
 */
record PngChunks(boolean endsEarly, String corruptChunk) {
    private static final int SIGNATURE_LENGTH = 8;

    static PngChunks check(byte[] b) {
        CRC32 crc = new CRC32();
        int pos = SIGNATURE_LENGTH;
        while (true) {
            if (pos + 8 > b.length) {
                return new PngChunks(true, null);
            }
            long length = Bytes.be32(b, pos);
            String type = new String(b, pos + 4, 4, StandardCharsets.ISO_8859_1);
            if (length > b.length - pos - 12L) {
                return new PngChunks(true, null);
            }
            crc.reset();
            crc.update(b, pos + 4, 4 + (int) length);
            boolean critical = (b[pos + 4] & 0x20) == 0; // upper-case first letter
            if (critical && crc.getValue() != Bytes.be32(b, pos + 8 + (int) length)) {
                return new PngChunks(false, type);
            }
            if (type.equals("IEND")) {
                return new PngChunks(false, null);
            }
            pos += 12 + (int) length;
        }
    }
}
