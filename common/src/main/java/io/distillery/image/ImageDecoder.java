package io.distillery.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Decodes JPEG (including CMYK/YCCK and progressive), PNG, WebP, GIF, BMP and TIFF into plain 8-bit
 * {@link RgbImage}s with the colours PIL's {@code Image.open(f).convert("RGB")} gives. Damaged, cut, oversized
 * and unsupported inputs are rejected rather than decoded approximately; see {@link GuardedDecoder} for how
 * each case is told apart. EXIF orientation is not applied: pixels stay as stored, as in PIL and torchvision.
 */
public final class ImageDecoder {

    private ImageDecoder() {}

    /** Decodes a file under {@link DecodeLimits#defaults()}. */
    public static RgbImage decode(Path file) throws IOException {
        return decode(Files.readAllBytes(file), file.toString());
    }

    /**
     * Decodes encoded image bytes under {@link DecodeLimits#defaults()}; {@code source} names them in messages.
     *
     * @throws IOException naming {@code source} when the image is rejected (its cause is the
     *                     {@link ImageRejectedException} with the reason)
     */
    public static RgbImage decode(byte[] encoded, String source) throws IOException {
        try {
            return decode(encoded, source, DecodeLimits.defaults());
        } catch (ImageRejectedException e) {
            throw new IOException("cannot decode image " + e.getMessage(), e);
        }
    }

    /**
     * Decodes encoded image bytes into RGB or rejects them with a reason; {@code source} (a file or archive
     * member name) starts every rejection message.
     */
    public static RgbImage decode(byte[] bytes, String source, DecodeLimits limits) throws ImageRejectedException {
        return GuardedDecoder.decode(bytes, source, limits);
    }
}
