package io.distillery.importer;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Encodes images as PNG with javax.imageio, reusing one writer (looking a writer up per image costs more than
 * encoding a 28x28 image). Grayscale images stay 8-bit grayscale PNGs. Not thread-safe.
 */
final class PngEncoder implements AutoCloseable {
    private final ImageWriter writer;

    PngEncoder() {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
        if (!writers.hasNext()) {
            throw new IllegalStateException("javax.imageio has no PNG writer");
        }
        this.writer = writers.next();
    }

    byte[] encode(BufferedImage image) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(out);
            writer.write(image);
        } finally {
            writer.setOutput(null);
        }
        return bytes.toByteArray();
    }

    @Override
    public void close() {
        writer.dispose();
    }
}
