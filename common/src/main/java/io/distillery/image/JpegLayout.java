package io.distillery.image;

import java.nio.charset.StandardCharsets;

/**
 * What the decoder needs from a JPEG's marker segments before SOS: the number of colour components and the
 * Adobe APP14 colour transform (which tells CMYK from YCCK), and whether the file stops early.
 *
 * @param components     components in the frame header (SOF), 0 if none was found
 * @param adobeTransform the APP14 transform (0 = CMYK/RGB as stored, 1 = YCbCr, 2 = YCCK), -1 without APP14
 * @param endsEarly      a segment runs past the end, the data ends before the first scan, or no EOI follows it
 */
record JpegLayout(int components, int adobeTransform, boolean endsEarly) {
    private static final int SOS = 0xDA;
    private static final int EOI = 0xD9;
    private static final int APP14 = 0xEE;

    static JpegLayout scan(byte[] b) {
        int components = 0;
        int adobeTransform = -1;
        int pos = 2; // after SOI
        while (true) {
            if (pos >= b.length) {
                return new JpegLayout(components, adobeTransform, true);
            }
            if (Bytes.u8(b, pos) != 0xFF) { // garbage between segments: damaged, not cut
                return new JpegLayout(components, adobeTransform, false);
            }
            while (pos < b.length && Bytes.u8(b, pos) == 0xFF) { // fill bytes
                pos++;
            }
            if (pos >= b.length) {
                return new JpegLayout(components, adobeTransform, true);
            }
            int marker = Bytes.u8(b, pos++);
            if (marker == EOI) {
                return new JpegLayout(components, adobeTransform, false);
            }
            if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { // TEM, RSTn: no length field
                continue;
            }
            if (pos + 2 > b.length) {
                return new JpegLayout(components, adobeTransform, true);
            }
            int length = Bytes.be16(b, pos);
            if (length < 2) {
                return new JpegLayout(components, adobeTransform, false);
            }
            if (pos + length > b.length) {
                return new JpegLayout(components, adobeTransform, true);
            }
            if (isStartOfFrame(marker) && length >= 8) {
                components = Bytes.u8(b, pos + 7); // length(2) precision(1) height(2) width(2) components(1)
            } else if (marker == APP14
                    && length >= 14
                    && new String(b, pos + 2, 5, StandardCharsets.ISO_8859_1).equals("Adobe")) {
                adobeTransform = Bytes.u8(b, pos + 13); // length(2) "Adobe"(5) version(2) flags(2+2) transform(1)
            } else if (marker == SOS) {
                return new JpegLayout(components, adobeTransform, !hasEoiAfter(b, pos + length));
            }
            pos += length;
        }
    }

    /** Entropy-coded data stuffs every 0xFF with 0x00, so FF D9 after the first scan can only be the EOI. */
    private static boolean hasEoiAfter(byte[] b, int from) {
        for (int i = b.length - 2; i >= from; i--) {
            if (Bytes.u8(b, i) == 0xFF && Bytes.u8(b, i + 1) == EOI) {
                return true;
            }
        }
        return false;
    }

    private static boolean isStartOfFrame(int marker) {
        // C4 (DHT), C8 (reserved) and CC (DAC) share the range but are not frame headers
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }
}
