package io.distillery.image;

import java.awt.image.Raster;

/**
 * Four-component (CMYK, YCCK) JPEG samples to RGB the way PIL does it, from the raw raster rather than through
 * TwelveMonkeys' colour management. TwelveMonkeys converts with an embedded ICC profile when there is one and
 * otherwise with a platform-dependent default (a naive formula on Linux, Apple's Generic CMYK profile on macOS),
 * so the same file would give different pixels on different machines and differ from what PIL-trained models saw.
 *
 * <p>As PIL (and Photoshop, which writes nearly all such files) assume, samples are stored inverted (0 = full
 * ink). YCCK is first turned back into stored CMYK with libjpeg's fixed-point YCbCr tables; then PIL's
 * {@code cmyk2rgb}: {@code R = (255 - K) - (C * (255 - K)) / 255} in ink values, rounded as PIL rounds.
 */
final class CmykJpegConverter {
    private static final int SCALE_BITS = 16;
    private static final int ONE_HALF = 1 << (SCALE_BITS - 1);
    private static final int[] CR_TO_R = new int[256];
    private static final int[] CB_TO_B = new int[256];
    private static final int[] CR_TO_G = new int[256];
    private static final int[] CB_TO_G = new int[256];

    static {
        // libjpeg jdcolor.c build_ycc_rgb_table
        for (int i = 0; i < 256; i++) {
            int x = i - 128;
            CR_TO_R[i] = (fix(1.40200) * x + ONE_HALF) >> SCALE_BITS;
            CB_TO_B[i] = (fix(1.77200) * x + ONE_HALF) >> SCALE_BITS;
            CR_TO_G[i] = -fix(0.71414) * x;
            CB_TO_G[i] = -fix(0.34414) * x + ONE_HALF;
        }
    }

    private CmykJpegConverter() {}

    private static int fix(double x) {
        return (int) (x * (1 << SCALE_BITS) + 0.5);
    }

    /** {@code raster}: 4 bands of 8-bit samples as stored; {@code ycck}: the Adobe transform says YCCK. */
    static byte[] toRgb(Raster raster, boolean ycck) {
        int w = raster.getWidth();
        int h = raster.getHeight();
        if (raster.getNumBands() != 4) {
            throw new IllegalArgumentException("a CMYK raster needs 4 bands, got " + raster.getNumBands());
        }
        byte[] rgb = new byte[3 * w * h];
        int[] row = new int[4 * w];
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int p = 4 * x;
                int c = row[p];
                int m = row[p + 1];
                int ye = row[p + 2];
                if (ycck) { // stored CMY = 255 - RGB(YCC), as libjpeg's ycck_cmyk_convert
                    int luma = row[p];
                    int cb = row[p + 1];
                    int cr = row[p + 2];
                    c = 255 - clamp(luma + CR_TO_R[cr]);
                    m = 255 - clamp(luma + ((CB_TO_G[cb] + CR_TO_G[cr]) >> SCALE_BITS));
                    ye = 255 - clamp(luma + CB_TO_B[cb]);
                }
                int notK = row[p + 3]; // stored K is inverted: 255 - ink
                int o = 3 * (y * w + x);
                rgb[o] = (byte) inkToChannel(255 - c, notK);
                rgb[o + 1] = (byte) inkToChannel(255 - m, notK);
                rgb[o + 2] = (byte) inkToChannel(255 - ye, notK);
            }
        }
        return rgb;
    }

    /** PIL Convert.c cmyk2rgb: {@code CLIP8(nk - MULDIV255(ink, nk))}. */
    private static int inkToChannel(int ink, int notK) {
        int t = ink * notK + 128;
        return clamp(notK - (((t >> 8) + t) >> 8));
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
