package io.distillery.image;

import java.util.Objects;

/**
 * Renders a {@link ViewSpec}: the crop box resized to {@code size x size} with {@link BicubicResampler} (Pillow's
 * antialiased bicubic, so large reductions do not alias), then mirrored when the view is flipped. For an integer
 * box this is torchvision's {@code RandomResizedCrop} + {@code RandomHorizontalFlip} on a PIL image. Deterministic:
 * the same image and view give the same bytes, so a stored view can always be re-rendered exactly.
 */
public final class ViewRenderer {
    /** Boxes computed in floating point may overshoot the image edge by rounding; more than this is a bug. */
    private static final double EDGE_TOLERANCE = 1e-6;

    private ViewRenderer() {}

    public static RgbImage render(RgbImage src, ViewSpec view, int size) {
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(view, "view");
        if (size <= 0) {
            throw new IllegalArgumentException("view size must be > 0, got " + size);
        }
        if (view.x() + view.width() > src.width() + EDGE_TOLERANCE
                || view.y() + view.height() > src.height() + EDGE_TOLERANCE) {
            throw new IllegalArgumentException(
                    "view " + view + " does not fit in " + src + " (" + src.width() + "x" + src.height() + ")");
        }
        boolean wholeImage =
                view.x() == 0 && view.y() == 0 && view.width() == src.width() && view.height() == src.height();
        if (wholeImage && src.width() == size && src.height() == size && !view.flip()) {
            return src;
        }
        double x1 = Math.min(view.x() + view.width(), src.width());
        double y1 = Math.min(view.y() + view.height(), src.height());
        byte[] rgb = BicubicResampler.resample(src, view.x(), view.y(), x1, y1, size, size);
        if (view.flip()) {
            mirror(rgb, size, size);
        }
        return new RgbImage(src.source(), size, size, rgb, true);
    }

    private static void mirror(byte[] rgb, int w, int h) {
        for (int row = 0; row < h; row++) {
            for (int a = 0, b = w - 1; a < b; a++, b--) {
                for (int c = 0; c < 3; c++) {
                    int i = (row * w + a) * 3 + c;
                    int j = (row * w + b) * 3 + c;
                    byte t = rgb[i];
                    rgb[i] = rgb[j];
                    rgb[j] = t;
                }
            }
        }
    }
}
