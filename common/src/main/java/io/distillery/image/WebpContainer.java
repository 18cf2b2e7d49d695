package io.distillery.image;

/**
 * The RIFF structure of a WebP file. TwelveMonkeys' WebP reader fills missing data in silently (a WebP cut by a
 * few bytes decodes into wrong pixels without an exception or warning), so cut files are found from the RIFF
 * and chunk sizes before decoding, as libwebp does.
 */
final class WebpContainer {
    private static final int RIFF_HEADER = 12; // "RIFF", size, "WEBP"
    private static final int CHUNK_HEADER = 8; // fourcc, size

    private WebpContainer() {}

    static boolean endsEarly(byte[] b) {
        if (b.length < RIFF_HEADER) {
            return true;
        }
        long end = 8 + Integer.toUnsignedLong(Bytes.le32(b, 4));
        if (end > b.length) {
            return true;
        }
        long pos = RIFF_HEADER;
        while (pos < end) {
            if (pos + CHUNK_HEADER > end) {
                return true;
            }
            long size = Integer.toUnsignedLong(Bytes.le32(b, (int) pos + 4));
            long dataEnd = pos + CHUNK_HEADER + size;
            if (dataEnd > end) {
                return true;
            }
            pos = dataEnd + (size & 1); // chunks are padded to even sizes; a missing final pad byte is harmless
        }
        return false;
    }
}
