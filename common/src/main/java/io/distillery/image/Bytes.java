package io.distillery.image;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Unsigned reads from encoded image bytes; the caller checks bounds. */
final class Bytes {
    private Bytes() {}

    static int u8(byte[] b, int i) {
        return b[i] & 0xFF;
    }

    static int be16(byte[] b, int i) {
        return (u8(b, i) << 8) | u8(b, i + 1);
    }

    static long be32(byte[] b, int i) {
        return ((long) be16(b, i) << 16) | be16(b, i + 2);
    }

    static int le16(byte[] b, int i) {
        return u8(b, i) | (u8(b, i + 1) << 8);
    }

    static int le32(byte[] b, int i) {
        return le16(b, i) | (le16(b, i + 2) << 16);
    }

    /** The start of unrecognised data for a message: quoted when it is text (an HTML error page), else hex. */
    static String describeStart(byte[] b) {
        int n = Math.min(b.length, 24);
        boolean text = n > 0;
        for (int i = 0; i < n && text; i++) {
            int c = u8(b, i);
            text = (c >= 0x20 && c < 0x7F) || c == '\t' || c == '\r' || c == '\n';
        }
        if (text) {
            String start = new String(b, 0, n, StandardCharsets.ISO_8859_1).replaceAll("\\s+", " ");
            return "\"" + start + (b.length > n ? "...\"" : "\"");
        }
        return HexFormat.ofDelimiter(" ").formatHex(b, 0, Math.min(b.length, 8)) + (b.length > 8 ? " ..." : "");
    }
}
