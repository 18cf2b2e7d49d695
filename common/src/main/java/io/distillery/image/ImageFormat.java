package io.distillery.image;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/**
 * Image formats recognised from their first bytes, never from file names (scraped data is full of PNGs named
 * .jpg and HTML error pages named .jpg). Only formats with an ImageIO reader name are decoded; the others are
 * recognised so that a rejection can say "HEIF is not supported" instead of "garbage".
 */
enum ImageFormat {
    JPEG("JPEG", "jpeg"),
    PNG("PNG", "png"),
    WEBP("WebP", "webp"),
    GIF("GIF", "gif"),
    BMP("BMP", "bmp"),
    TIFF("TIFF", "tiff"),
    HEIF("HEIF/AVIF", null),
    JPEG_2000("JPEG 2000", null),
    JPEG_XL("JPEG XL", null),
    PSD("Photoshop PSD", null),
    ICO("ICO", null),
    SVG("SVG", null);

    private static final Set<String> HEIF_BRANDS =
            Set.of("heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1", "avif", "avis");
    private static final Set<Integer> BMP_DIB_HEADER_SIZES = Set.of(12, 40, 52, 56, 64, 108, 124);
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final byte[] JP2_SIGNATURE = {0, 0, 0, 0x0C, 'j', 'P', ' ', ' ', '\r', '\n', (byte) 0x87, '\n'};
    private static final byte[] JXL_CONTAINER = {0, 0, 0, 0x0C, 'J', 'X', 'L', ' ', '\r', '\n', (byte) 0x87, '\n'};

    private final String displayName;
    private final String imageIoName;

    ImageFormat(String displayName, String imageIoName) {
        this.displayName = displayName;
        this.imageIoName = imageIoName;
    }

    String displayName() {
        return displayName;
    }

    /** The ImageIO format name, or empty where this build has no decoder for the format. */
    Optional<String> imageIoName() {
        return Optional.ofNullable(imageIoName);
    }

    static Optional<ImageFormat> detect(byte[] b) {
        if (startsWith(b, 0, 0xFF, 0xD8, 0xFF)) {
            return Optional.of(JPEG);
        }
        if (startsWith(b, 0, PNG_SIGNATURE)) {
            return Optional.of(PNG);
        }
        if (ascii(b, 0, 4).equals("RIFF") && ascii(b, 8, 4).equals("WEBP")) {
            return Optional.of(WEBP);
        }
        if (ascii(b, 0, 6).equals("GIF87a") || ascii(b, 0, 6).equals("GIF89a")) {
            return Optional.of(GIF);
        }
        // "BM" alone is too weak (text can start with it): also require a known DIB header size
        if (ascii(b, 0, 2).equals("BM") && b.length >= 18 && BMP_DIB_HEADER_SIZES.contains(Bytes.le32(b, 14))) {
            return Optional.of(BMP);
        }
        if (startsWith(b, 0, 'I', 'I', 42, 0) || startsWith(b, 0, 'M', 'M', 0, 42)) {
            return Optional.of(TIFF);
        }
        if (ascii(b, 4, 4).equals("ftyp") && HEIF_BRANDS.contains(ascii(b, 8, 4))) {
            return Optional.of(HEIF);
        }
        if (startsWith(b, 0, JP2_SIGNATURE) || startsWith(b, 0, 0xFF, 0x4F, 0xFF, 0x51)) {
            return Optional.of(JPEG_2000);
        }
        if (startsWith(b, 0, JXL_CONTAINER) || startsWith(b, 0, 0xFF, 0x0A)) {
            return Optional.of(JPEG_XL);
        }
        if (ascii(b, 0, 4).equals("8BPS")) {
            return Optional.of(PSD);
        }
        if (startsWith(b, 0, 0, 0, 1, 0) && b.length >= 6 && Bytes.le16(b, 4) > 0) {
            return Optional.of(ICO);
        }
        if (looksLikeSvg(b)) {
            return Optional.of(SVG);
        }
        return Optional.empty();
    }

    /**
     * Whether the container's own structure says the file stops early. Used to name a decoder failure
     * (TRUNCATED rather than UNDECODABLE), and for WebP before decoding, because the WebP reader pads missing
     * data silently.
     */
    boolean endsEarly(byte[] b) {
        return switch (this) {
            case JPEG -> JpegLayout.scan(b).endsEarly();
            case PNG -> PngChunks.check(b).endsEarly();
            case WEBP -> WebpContainer.endsEarly(b);
            case GIF -> b[b.length - 1] != 0x3B; // the trailer byte
            case BMP -> b.length < 6 || Integer.toUnsignedLong(Bytes.le32(b, 2)) > b.length; // declared file size
            default -> false;
        };
    }

    private static boolean looksLikeSvg(byte[] b) {
        String head = new String(b, 0, Math.min(b.length, 1024), StandardCharsets.ISO_8859_1).stripLeading();
        if (head.startsWith("\u00EF\u00BB\u00BF")) { // UTF-8 byte order mark
            head = head.substring(3).stripLeading();
        }
        boolean xmlProlog = head.startsWith("<?xml") || head.startsWith("<!DOCTYPE svg");
        return head.startsWith("<svg") || (xmlProlog && head.contains("<svg"));
    }

    private static boolean startsWith(byte[] b, int offset, int... expected) {
        if (b.length < offset + expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if ((b[offset + i] & 0xFF) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWith(byte[] b, int offset, byte[] expected) {
        return b.length >= offset + expected.length
                && Arrays.equals(b, offset, offset + expected.length, expected, 0, expected.length);
    }

    private static String ascii(byte[] b, int offset, int length) {
        return b.length < offset + length ? "" : new String(b, offset, length, StandardCharsets.ISO_8859_1);
    }
}
