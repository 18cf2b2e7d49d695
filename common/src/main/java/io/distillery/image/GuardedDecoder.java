package io.distillery.image;

import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Objects;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * How {@link ImageDecoder}, the one entry point callers use, decodes. Decoding for dataset pipelines: every input
 * becomes a correct RGB image or an {@link ImageRejectedException} with a reason; never a crash, never a silently
 * wrong image.
 * <ul>
 *   <li>The format comes from the first bytes. Unknown bytes (HTML error pages, garbage) are UNDECODABLE, and so
 *       is anything only a lenient reader would take (the JDK's WBMP reader accepts almost any bytes starting
 *       with two zeros); known formats without a decoder here (HEIF, AVIF, JPEG 2000, ...) are UNSUPPORTED.</li>
 *   <li>Width and height come from the header before any pixel is decoded: beyond the {@link DecodeLimits}
 *       is TOO_LARGE, without allocating the image.</li>
 *   <li>Damage is caught however the decoder reports it: exceptions; warnings from decoders that fill missing
 *       data with grey and carry on (libjpeg's "Corrupt JPEG data: premature end of data segment", TwelveMonkeys'
 *       "Truncated File - Missing EOI marker"); PNG chunk CRCs, which the JDK reader ignores; and WebP's RIFF
 *       sizes, because that reader pads cut data silently. Data that stops early is TRUNCATED, other damage
 *       UNDECODABLE.</li>
 *   <li>Colours are PIL's {@code convert("RGB")} of the stored samples (see {@link RgbSamples}); CMYK and YCCK
 *       JPEGs as in {@link CmykJpegConverter}; embedded ICC profiles are ignored, as PIL ignores them.</li>
 *   <li>EXIF orientation is not applied: images stay as stored, as PIL's {@code Image.open} and torchvision's
 *       loaders leave them. Of animated GIF/WebP and multi-page TIFF files, the first frame is decoded.</li>
 * </ul>
 */
final class GuardedDecoder {
    private GuardedDecoder() {}

    /** Same as {@link ImageDecoder#decode(byte[], String, DecodeLimits)}. */
    static RgbImage decode(byte[] bytes, String source, DecodeLimits limits) throws ImageRejectedException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(limits, "limits");
        if (bytes == null || bytes.length == 0) {
            throw new ImageRejectedException(RejectReason.EMPTY, source + ": empty file");
        }
        ImageFormat format = ImageFormat.detect(bytes)
                .orElseThrow(() -> new ImageRejectedException(
                        RejectReason.UNDECODABLE,
                        source + ": not an image format this build recognises (" + bytes.length + " bytes starting "
                                + Bytes.describeStart(bytes) + ")"));
        String readerFormat = format.imageIoName()
                .orElseThrow(() -> new ImageRejectedException(
                        RejectReason.UNSUPPORTED, source + ": " + format.displayName() + " images are not supported"));
        rejectDamagedContainer(format, bytes, source);
        ImageReader reader = ImageIoReaders.forFormat(readerFormat)
                .orElseThrow(() -> new ImageRejectedException(
                        RejectReason.UNSUPPORTED,
                        source + ": no ImageIO reader for " + format.displayName() + " on the classpath"));
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            return read(reader, in, format, bytes, source, limits);
        } catch (IOException e) { // closing an in-memory stream
            throw new DecodeFailure(format, bytes, source).fromException(false, e);
        } finally {
            reader.dispose();
        }
    }

    private static RgbImage read(
            ImageReader reader,
            ImageInputStream in,
            ImageFormat format,
            byte[] bytes,
            String source,
            DecodeLimits limits)
            throws ImageRejectedException {
        DecodeFailure failure = new DecodeFailure(format, bytes, source);
        DamageWarnings warnings = new DamageWarnings();
        int width;
        int height;
        try {
            reader.setInput(in, true, true);
            reader.addIIOReadWarningListener(warnings);
            width = reader.getWidth(0);
            height = reader.getHeight(0);
        } catch (IOException | RuntimeException e) {
            throw failure.fromException(true, e);
        }
        if (!limits.allow(width, height)) {
            throw new ImageRejectedException(
                    RejectReason.TOO_LARGE,
                    source + ": " + width + "x" + height + " exceeds the decode limits (" + limits.maxSide()
                            + " per side, " + limits.maxPixels() + " pixels)");
        }
        RgbImage image;
        try {
            image = readPixels(reader, format, bytes, source);
        } catch (IOException | RuntimeException e) {
            throw failure.fromException(false, e);
        }
        if (warnings.first != null) {
            throw failure.fromWarning(warnings.first);
        }
        if (image.width() != width || image.height() != height) {
            throw new ImageRejectedException(
                    RejectReason.UNDECODABLE,
                    source + ": header says " + width + "x" + height + " but " + image.width() + "x" + image.height()
                            + " pixels were decoded");
        }
        return image;
    }

    private static RgbImage readPixels(ImageReader reader, ImageFormat format, byte[] bytes, String source)
            throws IOException {
        if (format == ImageFormat.JPEG) {
            JpegLayout layout = JpegLayout.scan(bytes);
            if (layout.components() == 4) {
                Raster raster = reader.readRaster(0, null);
                byte[] rgb = CmykJpegConverter.toRgb(raster, layout.adobeTransform() == 2);
                return new RgbImage(source, raster.getWidth(), raster.getHeight(), rgb, true);
            }
        }
        ImageReadParam param = reader.getDefaultReadParam();
        if (format == ImageFormat.JPEG || format == ImageFormat.WEBP) {
            // asking for the raw type keeps TwelveMonkeys from converting through an embedded ICC profile
            ImageTypeSpecifier raw = reader.getRawImageType(0);
            if (raw != null) {
                param.setDestinationType(raw);
            }
        }
        return RgbSamples.toRgbImage(reader.read(0, param), source);
    }

    /** Damage the decoders would not report: cut WebP files, PNG chunks whose CRC does not match. */
    private static void rejectDamagedContainer(ImageFormat format, byte[] bytes, String source)
            throws ImageRejectedException {
        if (format == ImageFormat.WEBP && WebpContainer.endsEarly(bytes)) {
            throw new ImageRejectedException(
                    RejectReason.TRUNCATED,
                    source + ": truncated WebP (the file is shorter than its RIFF chunk sizes say)");
        }
        if (format == ImageFormat.PNG) {
            String corrupt = PngChunks.check(bytes).corruptChunk();
            if (corrupt != null) {
                throw new ImageRejectedException(
                        RejectReason.UNDECODABLE,
                        source + ": corrupt PNG data (CRC mismatch in the " + corrupt + " chunk)");
            }
        }
    }

    /** Keeps the first warning that reports damaged or missing data. */
    private static final class DamageWarnings implements IIOReadWarningListener {
        private String first;

        @Override
        public void warningOccurred(ImageReader source, String warning) {
            if (first == null && warning != null && DecodeFailure.isDamage(warning)) {
                first = warning;
            }
        }
    }
}
