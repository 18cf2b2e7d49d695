package io.distillery.image;

import java.util.Objects;

/**
 * An immutable 8-bit RGB image: {@code height * width * 3} bytes, row-major, channels interleaved R,G,B.
 * {@code source} names where it came from (a file name) for error messages.
 */
public final class RgbImage {

    private final String source;
    private final int width;
    private final int height;
    private final byte[] rgb;

    /** Copies {@code rgb} (interleaved R,G,B bytes, row-major). */
    public RgbImage(String source, int width, int height, byte[] rgb) {
        this(source, width, height, rgb.clone(), true);
    }

    /** Takes ownership of {@code rgb} without copying; for the decoder, which built the array itself. */
    RgbImage(String source, int width, int height, byte[] rgb, boolean owned) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(rgb, "rgb");
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image " + source + ": bad size " + width + "x" + height);
        }
        if (rgb.length != 3L * width * height) {
            throw new IllegalArgumentException("image " + source + ": " + rgb.length + " bytes given, a " + width + "x"
                    + height + " RGB image needs " + 3L * width * height);
        }
        this.source = source;
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    public String source() {
        return source;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Channel value 0..255 of pixel (x, y); channel 0 = R, 1 = G, 2 = B. */
    public int value(int x, int y, int channel) {
        Objects.checkIndex(x, width);
        Objects.checkIndex(y, height);
        Objects.checkIndex(channel, 3);
        return rgb[(y * width + x) * 3 + channel] & 0xFF;
    }

    /** A copy of the interleaved RGB bytes. */
    public byte[] toRgbBytes() {
        return rgb.clone();
    }

    /** Read-only access without copying, for the normalizer's inner loop. */
    byte[] rgbBytes() {
        return rgb;
    }

    @Override
    public String toString() {
        return "RgbImage[" + source + ", " + width + "x" + height + "]";
    }
}
