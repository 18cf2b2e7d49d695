package io.distillery.image;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Writes tiny valid WebP files for tests (ImageIO has no WebP writer). Lossless (VP8L) images are encoded here
 * from the format specification: no transforms, no colour cache, one group of "simple" prefix codes. A simple
 * code holds one or two 8-bit symbols, so each channel (A, R, G, B) may take at most two values in an image;
 * that is enough for exact colour checks.
 */
final class TinyWebp {
    /**
     * A 1x1 lossy (VP8) WebP, the long-standing browser feature-detection sample (Modernizr). Its exact colour
     * depends on the VP8 decoder, so tests check only that it decodes.
     */
    static final byte[] LOSSY_1X1 =
            Base64.getDecoder().decode("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA");

    private TinyWebp() {}

    /** A lossless WebP of {@code argb} pixels (row-major), at most two values per channel. */
    static byte[] lossless(int w, int h, int[] argb) {
        return riff(chunk("VP8L", vp8l(w, h, argb)));
    }

    /** The extended format: VP8X header, an ICCP chunk holding {@code iccProfile}, then the lossless image. */
    static byte[] losslessWithIccProfile(int w, int h, int[] argb, byte[] iccProfile) {
        byte[] vp8x = new byte[10];
        vp8x[0] = 0x20; // ICC profile flag
        put24(vp8x, 4, w - 1);
        put24(vp8x, 7, h - 1);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(chunk("VP8X", vp8x));
        body.writeBytes(chunk("ICCP", iccProfile));
        body.writeBytes(chunk("VP8L", vp8l(w, h, argb)));
        return riff(body.toByteArray());
    }

    private static byte[] vp8l(int w, int h, int[] argb) {
        if (argb.length != w * h) {
            throw new IllegalArgumentException(argb.length + " pixels for " + w + "x" + h);
        }
        boolean alpha = Arrays.stream(argb).anyMatch(p -> p >>> 24 != 0xFF);
        BitWriter bits = new BitWriter();
        bits.put(0x2F, 8); // signature
        bits.put(w - 1, 14);
        bits.put(h - 1, 14);
        bits.put(alpha ? 1 : 0, 1);
        bits.put(0, 3); // version
        bits.put(0, 1); // no transform
        bits.put(0, 1); // no colour cache
        bits.put(0, 1); // no meta prefix codes
        // the prefix code group: green (+ lengths + cache), red, blue, alpha, distance; shifts pick the channel
        int[] shifts = {8, 16, 0, 24};
        int[][] symbols = new int[4][];
        for (int c = 0; c < 4; c++) {
            int shift = shifts[c];
            symbols[c] = Arrays.stream(argb)
                    .map(p -> (p >>> shift) & 0xFF)
                    .distinct()
                    .sorted()
                    .toArray();
            if (symbols[c].length > 2) {
                throw new IllegalArgumentException(
                        "at most two values per channel, got " + Arrays.toString(symbols[c]));
            }
            simpleCode(bits, symbols[c]);
        }
        simpleCode(bits, new int[] {0}); // distances: unused
        for (int p : argb) {
            for (int c = 0; c < 4; c++) {
                if (symbols[c].length == 2) { // a one-symbol code takes no bits
                    bits.put(((p >>> shifts[c]) & 0xFF) == symbols[c][0] ? 0 : 1, 1);
                }
            }
        }
        return bits.bytes();
    }

    /** A "simple" prefix code: 1 or 2 symbols, written with 8 bits each; the smaller symbol gets code 0. */
    private static void simpleCode(BitWriter bits, int[] symbols) {
        bits.put(1, 1); // simple code
        bits.put(symbols.length - 1, 1);
        bits.put(1, 1); // first symbol has 8 bits
        for (int s : symbols) {
            bits.put(s, 8);
        }
    }

    private static byte[] chunk(String fourcc, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(fourcc.getBytes(StandardCharsets.US_ASCII));
        writeLe32(out, data.length);
        out.writeBytes(data);
        if (data.length % 2 == 1) {
            out.write(0);
        }
        return out.toByteArray();
    }

    private static byte[] riff(byte[] chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("RIFF".getBytes(StandardCharsets.US_ASCII));
        writeLe32(out, 4 + chunks.length);
        out.writeBytes("WEBP".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(chunks);
        return out.toByteArray();
    }

    private static void writeLe32(ByteArrayOutputStream out, int v) {
        for (int i = 0; i < 4; i++) {
            out.write(v >>> (8 * i));
        }
    }

    private static void put24(byte[] b, int offset, int v) {
        for (int i = 0; i < 3; i++) {
            b[offset + i] = (byte) (v >>> (8 * i));
        }
    }

    /** VP8L packs bits least significant first. */
    private static final class BitWriter {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int pending;
        private int count;

        void put(int value, int n) {
            for (int i = 0; i < n; i++) {
                pending |= ((value >>> i) & 1) << count;
                if (++count == 8) {
                    out.write(pending);
                    pending = 0;
                    count = 0;
                }
            }
        }

        byte[] bytes() {
            if (count > 0) {
                out.write(pending);
                pending = 0;
                count = 0;
            }
            return out.toByteArray();
        }
    }
}
