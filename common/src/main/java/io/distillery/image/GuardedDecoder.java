package io.distillery.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decoding for dataset pipelines: every image becomes a correct RGB image or an {@link ImageRejectedException}
 * with a reason. Sizes are checked from the header before pixels are decoded; decoders that paper over missing
 * data (a truncated JPEG is filled with grey and only reported as a warning) are treated as truncated.
 */
public final class GuardedDecoder {
    private GuardedDecoder() {
    }

    public static RgbImage decode(byte[] bytes, String source, DecodeLimits limits) throws ImageRejectedException {
        if (bytes == null || bytes.length == 0) {
            throw new ImageRejectedException(RejectReason.EMPTY, source + ": empty file");
        }
        boolean headerRead = false;
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageRejectedException(RejectReason.UNDECODABLE, source + ": not an image format this build reads ("
                        + bytes.length + " bytes)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                headerRead = true;
                if (w > limits.maxSide() || h > limits.maxSide() || w * h > limits.maxPixels()) {
                    throw new ImageRejectedException(RejectReason.TOO_LARGE, source + ": " + w + "x" + h
                            + " exceeds the decode limits (" + limits.maxSide() + " per side, " + limits.maxPixels() + " pixels)");
                }
                StringBuilder warnings = new StringBuilder();
                reader.addIIOReadWarningListener((IIOReadWarningListener) (r, warning) -> warnings.append(warning).append("; "));
                var image = reader.read(0);
                if (looksTruncated(warnings.toString())) {
                    throw new ImageRejectedException(RejectReason.TRUNCATED, source + ": truncated or corrupt image data ("
                            + warnings.toString().replaceAll("; $", "") + ")");
                }
                return ImageDecoder.toRgb(image, source);
            } finally {
                reader.dispose();
            }
        } catch (ImageRejectedException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            // a valid header followed by pixel data the decoder cannot finish: the file was cut or damaged
            boolean truncated = headerRead || e instanceof java.io.EOFException || message.toLowerCase(Locale.ROOT).contains("eof")
                    || message.toLowerCase(Locale.ROOT).contains("premature") || message.toLowerCase(Locale.ROOT).contains("unexpected end");
            throw new ImageRejectedException(truncated ? RejectReason.TRUNCATED : RejectReason.UNDECODABLE,
                    source + ": " + (truncated ? "truncated or corrupt image data" : "cannot decode") + " (" + e.getClass().getSimpleName()
                            + ": " + message + ")");
        }
    }

    private static boolean looksTruncated(String warnings) {
        String w = warnings.toLowerCase(Locale.ROOT);
        return w.contains("premature") || w.contains("corrupt") || w.contains("truncat") || w.contains("end of");
    }
}
