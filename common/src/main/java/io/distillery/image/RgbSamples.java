package io.distillery.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Decoded {@link BufferedImage}s to plain 8-bit RGB, the way PIL's {@code Image.open(f).convert("RGB")} sees the
 * stored samples:
 * <ul>
 *   <li>grayscale: R = G = B = the gray sample (no gamma conversion, unlike {@code BufferedImage.getRGB},
 *       which treats Java's gray colour space as linear);</li>
 *   <li>palette: the palette's RGB entry;</li>
 *   <li>alpha: dropped, colour samples kept as stored (not premultiplied, not composited);</li>
 *   <li>more than 8 bits per sample (16-bit PNG): the high byte, as PIL and libpng's strip_16 do;</li>
 *   <li>fewer than 8 bits: scaled to 0..255 exactly (1-bit 1 -> 255, 4-bit 15 -> 255);</li>
 *   <li>an RGB colour space with an ICC profile: the stored samples, profile ignored (as PIL does).</li>
 * </ul>
 * Anything else (premultiplied rasters, CMYK TIFF, 5-6-5 BMP) goes through Java's sRGB conversion.
 */
final class RgbSamples {
    private RgbSamples() {}

    static RgbImage toRgbImage(BufferedImage image, String source) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] rgb = new byte[3 * w * h];
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int colorSpace = cm.getColorSpace().getType();
        if (cm instanceof IndexColorModel palette) {
            copyPalette(raster, palette, rgb);
        } else if (!cm.isAlphaPremultiplied()
                && colorSpace == ColorSpace.TYPE_GRAY
                && cm.getNumColorComponents() == 1) {
            copyBands(raster, new int[] {0, 0, 0}, cm.getComponentSize(0), rgb);
        } else if (!cm.isAlphaPremultiplied()
                && colorSpace == ColorSpace.TYPE_RGB
                && cm.getNumColorComponents() == 3
                && sameSize(cm)) {
            copyBands(raster, new int[] {0, 1, 2}, cm.getComponentSize(0), rgb);
        } else {
            copyViaSrgb(image, rgb);
        }
        return new RgbImage(source, w, h, rgb, true);
    }

    private static boolean sameSize(ColorModel cm) {
        return cm.getComponentSize(0) == cm.getComponentSize(1) && cm.getComponentSize(1) == cm.getComponentSize(2);
    }

    private static void copyPalette(Raster raster, IndexColorModel palette, byte[] rgb) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int[] index = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, 0, index);
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * 3;
                rgb[o] = (byte) palette.getRed(index[x]);
                rgb[o + 1] = (byte) palette.getGreen(index[x]);
                rgb[o + 2] = (byte) palette.getBlue(index[x]);
            }
        }
    }

    /** Copies raster bands to R, G, B ({@code bandForChannel}), reducing each sample to 8 bits. */
    private static void copyBands(Raster raster, int[] bandForChannel, int bits, byte[] rgb) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int[] row = new int[w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                raster.getSamples(raster.getMinX(), raster.getMinY() + y, w, 1, bandForChannel[c], row);
                for (int x = 0; x < w; x++) {
                    rgb[(y * w + x) * 3 + c] = (byte) to8Bits(row[x], bits);
                }
            }
        }
    }

    static int to8Bits(int sample, int bits) {
        if (bits == 8) {
            return sample;
        }
        if (bits > 8) {
            return sample >>> (bits - 8);
        }
        int max = (1 << bits) - 1;
        return (sample * 255 + max / 2) / max;
    }

    private static void copyViaSrgb(BufferedImage image, byte[] rgb) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            // getRGB returns non-premultiplied sRGB ARGB; the alpha byte is ignored.
            image.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int o = (y * w + x) * 3;
                rgb[o] = (byte) (row[x] >>> 16);
                rgb[o + 1] = (byte) (row[x] >>> 8);
                rgb[o + 2] = (byte) row[x];
            }
        }
    }
}
