package io.distillery.image;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;

/**
 * The deterministic evaluation view: resize the shorter side to {@code size} (bicubic) and take the centred
 * {@code size x size} crop. An image that already has the size is returned untouched, so fixture images stay
 * bit-exact.
 */
public final class EvalTransform {
    private EvalTransform() {}

    public static RgbImage resizeShorterSideAndCenterCrop(RgbImage image, int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("eval size must be > 0, got " + size);
        }
        if (image.width() == size && image.height() == size) {
            return image;
        }
        double scale = (double) size / Math.min(image.width(), image.height());
        int scaledW = Math.max(size, (int) Math.round(image.width() * scale));
        int scaledH = Math.max(size, (int) Math.round(image.height() * scale));
        int left = (scaledW - size) / 2;
        int top = (scaledH - size) / 2;

        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(toBufferedImage(image), -left, -top, scaledW, scaledH, null);
        } finally {
            g.dispose();
        }
        return fromBgr(image.source(), out);
    }

    private static BufferedImage toBufferedImage(RgbImage image) {
        BufferedImage buffered = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] bgr = ((DataBufferByte) buffered.getRaster().getDataBuffer()).getData();
        byte[] rgb = image.toRgbBytes();
        for (int i = 0; i < rgb.length; i += 3) {
            bgr[i] = rgb[i + 2];
            bgr[i + 1] = rgb[i + 1];
            bgr[i + 2] = rgb[i];
        }
        return buffered;
    }

    private static RgbImage fromBgr(String source, BufferedImage bgrImage) {
        byte[] bgr = ((DataBufferByte) bgrImage.getRaster().getDataBuffer()).getData();
        byte[] rgb = new byte[bgr.length];
        for (int i = 0; i < bgr.length; i += 3) {
            rgb[i] = bgr[i + 2];
            rgb[i + 1] = bgr[i + 1];
            rgb[i + 2] = bgr[i];
        }
        return new RgbImage(source, bgrImage.getWidth(), bgrImage.getHeight(), rgb);
    }
}
