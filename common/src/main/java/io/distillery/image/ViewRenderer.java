package io.distillery.image;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;

/**
 * Renders a {@link ViewSpec}: crop box resized to size x size (bicubic; large reductions are first halved
 * step by step so they do not alias), then mirrored when flipped. Deterministic; the full box of an image that
 * already has the size comes back unchanged.
 */
public final class ViewRenderer {
    private ViewRenderer() {
    }

    public static RgbImage render(RgbImage src, ViewSpec view, int size) {
        if (view.x() == 0 && view.y() == 0 && view.width() == src.width() && view.height() == src.height()
                && src.width() == size && src.height() == size && !view.flip()) {
            return src;
        }
        BufferedImage current = toBgr(src);
        double x = view.x();
        double y = view.y();
        double w = view.width();
        double h = view.height();
        // halve while the box is more than twice the target, keeping the box in the halved coordinates
        while (w > 2.0 * size && h > 2.0 * size && current.getWidth() >= 2 && current.getHeight() >= 2) {
            double sx = (double) (current.getWidth() / 2) / current.getWidth();
            double sy = (double) (current.getHeight() / 2) / current.getHeight();
            current = scale(current, current.getWidth() / 2, current.getHeight() / 2, 0, 0, sx, sy);
            x *= sx;
            y *= sy;
            w *= sx;
            h *= sy;
        }
        BufferedImage out = scale(current, size, size, x, y, size / w, size / h);
        byte[] rgb = toRgb(out);
        if (view.flip()) {
            mirror(rgb, size, size);
        }
        return new RgbImage(src.source(), size, size, rgb);
    }

    private static BufferedImage scale(BufferedImage in, int outW, int outH, double x, double y, double sx, double sy) {
        BufferedImage out = new BufferedImage(outW, outH, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            AffineTransform t = new AffineTransform();
            t.scale(sx, sy);
            t.translate(-x, -y);
            g.drawImage(in, t, null);
        } finally {
            g.dispose();
        }
        return out;
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

    private static BufferedImage toBgr(RgbImage image) {
        BufferedImage b = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) b.getRaster().getDataBuffer()).getData();
        byte[] rgb = image.toRgbBytes();
        for (int i = 0; i < rgb.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        return b;
    }

    private static byte[] toRgb(BufferedImage b) {
        byte[] bgr = ((DataBufferByte) b.getRaster().getDataBuffer()).getData();
        byte[] rgb = new byte[bgr.length];
        for (int i = 0; i < bgr.length; i += 3) {
            rgb[i] = bgr[i + 2];
            rgb[i + 1] = bgr[i + 1];
            rgb[i + 2] = bgr[i];
        }
        return rgb;
    }
}
