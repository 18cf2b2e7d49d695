package io.distillery.text;

import java.nio.charset.StandardCharsets;

/**
 * GPT-2's and CLIP's {@code bytes_to_unicode}: each UTF-8 byte becomes one printable character, so that BPE works on
 * strings of visible characters. Printable Latin-1 bytes stand for themselves; the other 68 (controls, space, soft
 * hyphen...) become U+0100 onwards, in byte order.
 */
final class ByteLevel {

    private static final char[] BYTE_TO_CHAR = new char[256];
    /** The 256 characters in the order open_clip lists them (its vocabulary's first 256 entries). */
    private static final char[] VOCAB_ORDER = new char[256];

    static {
        int n = 0;
        for (int b = 0; b < 256; b++) {
            if (printable(b)) {
                BYTE_TO_CHAR[b] = (char) b;
                VOCAB_ORDER[n++] = (char) b;
            }
        }
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            if (!printable(b)) {
                BYTE_TO_CHAR[b] = (char) (256 + extra++);
                VOCAB_ORDER[n++] = BYTE_TO_CHAR[b];
            }
        }
    }

    private ByteLevel() {}

    /** '!'..'~', '¡'..'¬', '®'..'ÿ'. */
    private static boolean printable(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }

    /** The byte-level string of {@code cps[start, end)} (which must hold no lone surrogate). */
    static String encode(int[] cps, int start, int end) {
        byte[] utf8 = new String(cps, start, end - start).getBytes(StandardCharsets.UTF_8);
        char[] out = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            out[i] = BYTE_TO_CHAR[utf8[i] & 0xFF];
        }
        return new String(out);
    }

    /** The character standing for a byte, in open_clip's vocabulary order: {@code 0 <= index < 256}. */
    static char inVocabOrder(int index) {
        return VOCAB_ORDER[index];
    }
}
