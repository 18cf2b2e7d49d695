package io.distillery.image;

/**
 * Resizes a box of an RGB image with Pillow's bicubic convolution ({@code Image.resize(..., BICUBIC)},
 * {@code a = -0.5}): separable, horizontal pass then vertical, 8-bit intermediate, 22-bit fixed-point weights,
 * rounding as Pillow does. When shrinking, the kernel is widened by the reduction factor so every source pixel
 * contributes (an area-weighted low-pass, no aliasing however large the reduction).
 *
 * <p>Only pixels inside the box (rounded out to whole pixels) are read, so an integer box gives what
 * torchvision's {@code resized_crop} gives on a PIL image: crop, then resize. Pure integer and strict double
 * arithmetic: the same input gives the same bytes on every JVM.
 */
final class BicubicResampler {
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double SUPPORT = 2.0;

    private BicubicResampler() {}

    /** The box {@code [x0, x1) x [y0, y1)} of {@code src} resized to {@code outW x outH}, interleaved RGB. */
    static byte[] resample(RgbImage src, double x0, double y0, double x1, double y1, int outW, int outH) {
        Coefficients horizontal = Coefficients.of(x0, x1, src.width(), outW);
        Coefficients vertical = Coefficients.of(y0, y1, src.height(), outH);
        int firstRow = vertical.start[0];
        int lastRow = vertical.start[outH - 1] + vertical.count[outH - 1];
        byte[] rows = resampleRows(src.rgbBytes(), src.width(), firstRow, lastRow, horizontal, outW);
        return resampleColumns(rows, firstRow, outW, vertical, outH);
    }

    /** Horizontal pass over the source rows the vertical pass will need. */
    private static byte[] resampleRows(byte[] in, int inW, int firstRow, int lastRow, Coefficients k, int outW) {
        byte[] out = new byte[3 * outW * (lastRow - firstRow)];
        for (int y = firstRow; y < lastRow; y++) {
            int rowIn = y * inW;
            int rowOut = (y - firstRow) * outW;
            for (int xx = 0; xx < outW; xx++) {
                int r = 1 << (PRECISION_BITS - 1);
                int g = r;
                int b = r;
                int base = xx * k.taps;
                for (int t = 0; t < k.count[xx]; t++) {
                    int w = k.weights[base + t];
                    int p = 3 * (rowIn + k.start[xx] + t);
                    r += (in[p] & 0xFF) * w;
                    g += (in[p + 1] & 0xFF) * w;
                    b += (in[p + 2] & 0xFF) * w;
                }
                int o = 3 * (rowOut + xx);
                out[o] = clip8(r);
                out[o + 1] = clip8(g);
                out[o + 2] = clip8(b);
            }
        }
        return out;
    }

    /** Vertical pass; {@code in} holds rows {@code firstRow..} of width {@code w}. */
    private static byte[] resampleColumns(byte[] in, int firstRow, int w, Coefficients k, int outH) {
        byte[] out = new byte[3 * w * outH];
        for (int yy = 0; yy < outH; yy++) {
            int base = yy * k.taps;
            int top = k.start[yy] - firstRow;
            for (int x = 0; x < w; x++) {
                int r = 1 << (PRECISION_BITS - 1);
                int g = r;
                int b = r;
                for (int t = 0; t < k.count[yy]; t++) {
                    int weight = k.weights[base + t];
                    int p = 3 * ((top + t) * w + x);
                    r += (in[p] & 0xFF) * weight;
                    g += (in[p + 1] & 0xFF) * weight;
                    b += (in[p + 2] & 0xFF) * weight;
                }
                int o = 3 * (yy * w + x);
                out[o] = clip8(r);
                out[o + 1] = clip8(g);
                out[o + 2] = clip8(b);
            }
        }
        return out;
    }

    private static byte clip8(int v) {
        if (v >= 1 << PRECISION_BITS << 8) {
            return (byte) 255;
        }
        return v <= 0 ? 0 : (byte) (v >> PRECISION_BITS);
    }

    /** Pillow's bicubic kernel with a = -0.5. */
    private static double bicubic(double x) {
        double a = -0.5;
        double ax = Math.abs(x);
        if (ax < 1.0) {
            return ((a + 2.0) * ax - (a + 3.0)) * ax * ax + 1;
        }
        if (ax < 2.0) {
            return (((ax - 5) * ax + 8) * ax - 4) * a;
        }
        return 0.0;
    }

    /** Per output pixel: the first source pixel, how many follow, and their fixed-point weights (Pillow's precompute_coeffs). */
    private static final class Coefficients {
        final int taps;
        final int[] start;
        final int[] count;
        final int[] weights;

        private Coefficients(int taps, int outSize) {
            this.taps = taps;
            this.start = new int[outSize];
            this.count = new int[outSize];
            this.weights = new int[taps * outSize];
        }

        static Coefficients of(double in0, double in1, int inSize, int outSize) {
            // work relative to the first pixel of the box, as Pillow works on the cropped image: for an integer
            // box the arithmetic is then exactly that of crop + resize
            int first = (int) Math.floor(in0);
            double offset = in0 - first;
            int available = Math.min(inSize, (int) Math.ceil(in1)) - first;
            double scale = (in1 - in0) / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = SUPPORT * filterScale;
            double inverseFilterScale = 1.0 / filterScale;
            Coefficients c = new Coefficients((int) Math.ceil(support) * 2 + 1, outSize);
            double[] w = new double[c.taps];
            for (int xx = 0; xx < outSize; xx++) {
                double center = offset + (xx + 0.5) * scale;
                int xmin = Math.max(0, (int) (center - support + 0.5));
                int xmax = Math.min(available, (int) (center + support + 0.5));
                int n = Math.max(0, xmax - xmin);
                double sum = 0;
                for (int t = 0; t < n; t++) {
                    w[t] = bicubic((t + xmin - center + 0.5) * inverseFilterScale);
                    sum += w[t];
                }
                c.start[xx] = first + xmin;
                c.count[xx] = n;
                for (int t = 0; t < n; t++) {
                    double normalised = sum != 0.0 ? w[t] / sum : w[t];
                    // Pillow's normalize_coeffs_8bpc: round half away from zero
                    c.weights[xx * c.taps + t] = (int)
                            (normalised < 0
                                    ? -0.5 + normalised * (1 << PRECISION_BITS)
                                    : 0.5 + normalised * (1 << PRECISION_BITS));
                }
            }
            return c;
        }
    }
}
