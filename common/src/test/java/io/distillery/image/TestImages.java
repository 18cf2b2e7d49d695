package io.distillery.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/** Builds encoded test images in memory, including the odd ones ImageIO cannot write directly. */
final class TestImages {
    private TestImages() {}

    static byte[] encode(BufferedImage image, String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            assertThat(ImageIO.write(image, format, out))
                    .as("ImageIO writes %s", format)
                    .isTrue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] jpeg(BufferedImage image, boolean progressive) {
        return writeJpeg(new IIOImage(image, null, null), progressive);
    }

    static BufferedImage filled(int w, int h, int rgb) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }

    static BufferedImage noise(int w, int h, long seed) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        return image;
    }

    /** Random pixels as an {@link RgbImage}. */
    static RgbImage noiseRgb(int w, int h, long seed) {
        byte[] rgb = new byte[3 * w * h];
        new Random(seed).nextBytes(rgb);
        return new RgbImage("noise", w, h, rgb);
    }

    /**
     * An Adobe CMYK JPEG as Photoshop writes it: samples stored inverted (255 - ink), APP14 transform 0. The JDK
     * writer encodes a 4-band raster as is but writes no APP14 marker, so it is inserted afterwards.
     *
     * @param inkLeft  C, M, Y, K ink (0..255) of the left half
     * @param inkRight the right half
     */
    static byte[] cmykJpeg(int w, int h, int[] inkLeft, int[] inkRight) {
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int[] ink = x < w / 2 ? inkLeft : inkRight;
                for (int c = 0; c < 4; c++) {
                    raster.setSample(x, y, c, 255 - ink[c]);
                }
            }
        }
        return insertAfterSoi(writeJpeg(new IIOImage(raster, null, null), false), adobeSegment(0));
    }

    /**
     * An Adobe YCCK JPEG: the encoder's CMYK to YCCK step (libjpeg's cmyk_ycck_convert) done here: the inks C, M, Y
     * are taken as R, G, B and converted to YCbCr with the JFIF equations, K is stored inverted; APP14 transform 2.
     */
    static byte[] ycckJpeg(int w, int h, int[] ink) {
        double r = ink[0];
        double g = ink[1];
        double b = ink[2];
        int[] ycck = {
            clamp(0.299 * r + 0.587 * g + 0.114 * b),
            clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b),
            clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b),
            255 - ink[3]
        };
        WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.setPixel(x, y, ycck);
            }
        }
        return insertAfterSoi(writeJpeg(new IIOImage(raster, null, null), false), adobeSegment(2));
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    /** APP14 "Adobe": version 100, no flags, the given colour transform. */
    static byte[] adobeSegment(int transform) {
        return new byte[] {
            (byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, (byte) transform
        };
    }

    /** APP2 "ICC_PROFILE" holding a whole profile in one chunk. */
    static byte[] iccSegment(byte[] profile) {
        byte[] name = "ICC_PROFILE\0".getBytes(StandardCharsets.ISO_8859_1);
        int length = 2 + name.length + 2 + profile.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xFF);
        out.write(0xE2);
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.writeBytes(name);
        out.write(1); // chunk 1
        out.write(1); // of 1
        out.writeBytes(profile);
        return out.toByteArray();
    }

    static byte[] insertAfterSoi(byte[] jpeg, byte[] segment) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.writeBytes(segment);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** An RGB ICC profile that is not sRGB (Adobe RGB compatible), shipped inside TwelveMonkeys' imageio-core. */
    static byte[] adobeRgbProfile() {
        try (InputStream in = TestImages.class.getResourceAsStream("/profiles/ClayRGB1998.icc")) {
            assertThat(in)
                    .as("TwelveMonkeys' ClayRGB1998.icc on the test classpath")
                    .isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A PNG signature and an IHDR chunk (8-bit RGB) declaring the size, and nothing else. */
    static byte[] pngHeaderOnly(int w, int h) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        byte[] ihdr = new byte[13];
        putBe32(ihdr, 0, w);
        putBe32(ihdr, 4, h);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type RGB
        out.writeBytes(chunk("IHDR", ihdr));
        return out.toByteArray();
    }

    /** A PNG chunk: length, type, data, CRC over type and data. */
    static byte[] chunk(String type, byte[] data) {
        byte[] out = new byte[12 + data.length];
        putBe32(out, 0, data.length);
        System.arraycopy(type.getBytes(StandardCharsets.ISO_8859_1), 0, out, 4, 4);
        System.arraycopy(data, 0, out, 8, data.length);
        CRC32 crc = new CRC32();
        crc.update(out, 4, 4 + data.length);
        putBe32(out, 8 + data.length, (int) crc.getValue());
        return out;
    }

    /** Offset of the first chunk of this type in a PNG (its length field), or -1. */
    static int pngChunkOffset(byte[] png, String type) {
        int pos = 8;
        while (pos + 8 <= png.length) {
            int length = ((png[pos] & 0xFF) << 24)
                    | ((png[pos + 1] & 0xFF) << 16)
                    | ((png[pos + 2] & 0xFF) << 8)
                    | (png[pos + 3] & 0xFF);
            if (new String(png, pos + 4, 4, StandardCharsets.ISO_8859_1).equals(type)) {
                return pos;
            }
            pos += 12 + length;
        }
        return -1;
    }

    /** Recomputes the CRC of the chunk at {@code offset} after its data was edited. */
    static void fixPngChunkCrc(byte[] png, int offset) {
        int length = ((png[offset] & 0xFF) << 24)
                | ((png[offset + 1] & 0xFF) << 16)
                | ((png[offset + 2] & 0xFF) << 8)
                | (png[offset + 3] & 0xFF);
        CRC32 crc = new CRC32();
        crc.update(png, offset + 4, 4 + length);
        putBe32(png, offset + 8 + length, (int) crc.getValue());
    }

    static int[] rgbAt(RgbImage image, int x, int y) {
        return new int[] {image.value(x, y, 0), image.value(x, y, 1), image.value(x, y, 2)};
    }

    private static void putBe32(byte[] b, int offset, int v) {
        b[offset] = (byte) (v >>> 24);
        b[offset + 1] = (byte) (v >>> 16);
        b[offset + 2] = (byte) (v >>> 8);
        b[offset + 3] = (byte) v;
    }

    private static byte[] writeJpeg(IIOImage image, boolean progressive) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.95f);
            if (progressive) {
                param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            }
            writer.write(null, image, param);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }
}
