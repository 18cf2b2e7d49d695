package io.distillery.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Every bad input becomes a rejection with the right reason and a one-line message naming the source. */
class GuardedDecoderTest {
    private static final DecodeLimits LIMITS = DecodeLimits.defaults();

    private static ImageRejectedException rejection(byte[] bytes, String source, DecodeLimits limits) {
        ImageRejectedException e =
                catchThrowableOfType(() -> ImageDecoder.decode(bytes, source, limits), ImageRejectedException.class);
        assertThat(e).as("%s is rejected", source).isNotNull();
        assertThat(e.getMessage()).startsWith(source + ": ").doesNotContain("\n");
        return e;
    }

    private static RejectReason reason(byte[] bytes, String source) {
        return rejection(bytes, source, LIMITS).reason();
    }

    /** The file cut after 1%, 6%, ... 96% of its bytes. */
    private static void assertEveryCutIsTruncated(byte[] full, String name) {
        for (int percent = 1; percent < 100; percent += 5) {
            byte[] cut = Arrays.copyOf(full, Math.max(1, full.length * percent / 100));
            assertThat(reason(cut, name + "@" + percent + "%"))
                    .as("%s cut at %d%%", name, percent)
                    .isEqualTo(RejectReason.TRUNCATED);
        }
    }

    @Test
    void goodImagesDecodeToRgb() throws Exception {
        RgbImage png = GuardedDecoder.decode(TestImages.encode(TestImages.noise(20, 10, 1), "png"), "a.png", LIMITS);
        assertThat(png.width()).isEqualTo(20);
        assertThat(png.source()).isEqualTo("a.png");
        RgbImage jpg = GuardedDecoder.decode(TestImages.jpeg(TestImages.noise(16, 16, 1), false), "a.jpg", LIMITS);
        assertThat(jpg.height()).isEqualTo(16);
    }

    @Test
    void emptyInputIsEmpty() {
        assertThat(rejection(new byte[0], "e.jpg", LIMITS))
                .hasMessage("e.jpg: empty file")
                .extracting(ImageRejectedException::reason)
                .isEqualTo(RejectReason.EMPTY);
        assertThat(reason(null, "null.jpg")).isEqualTo(RejectReason.EMPTY);
    }

    @Test
    void garbageIsUndecodableAndTheMessageShowsHowItStarts() {
        ImageRejectedException html = rejection(
                "<!DOCTYPE html>\n<html><body>404 Not Found</body></html>".getBytes(StandardCharsets.UTF_8),
                "shard-0003.tar/000123.jpg",
                LIMITS);
        assertThat(html.reason()).isEqualTo(RejectReason.UNDECODABLE);
        assertThat(html.getMessage()).endsWith("(55 bytes starting \"<!DOCTYPE html> <html><b...\")");
        ImageRejectedException binary = rejection(new byte[] {1, 2, 3, (byte) 0xFE}, "x.png", LIMITS);
        assertThat(binary.reason()).isEqualTo(RejectReason.UNDECODABLE);
        assertThat(binary.getMessage()).contains("01 02 03 fe");
    }

    @Test
    void bytesOnlyTheLenientWbmpReaderWouldTakeAreUndecodable() throws IOException {
        byte[] wbmpLookalike = {0, 0, 1, 1, 1, 2, 3};
        assertThat(ImageIO.read(new java.io.ByteArrayInputStream(wbmpLookalike)))
                .as("plain ImageIO makes an image")
                .isNotNull();
        assertThat(reason(wbmpLookalike, "w.jpg")).isEqualTo(RejectReason.UNDECODABLE);
    }

    @Test
    void knownFormatsWithoutADecoderAreUnsupported() {
        byte[] heic = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c', 0, 0, 0, 0, 'm', 'i', 'f', '1'};
        assertThat(rejection(heic, "i.jpg", LIMITS))
                .hasMessage("i.jpg: HEIF/AVIF images are not supported")
                .extracting(ImageRejectedException::reason)
                .isEqualTo(RejectReason.UNSUPPORTED);
        byte[] avif = {0, 0, 0, 0x1C, 'f', 't', 'y', 'p', 'a', 'v', 'i', 'f', 0, 0, 0, 0};
        assertThat(reason(avif, "a.avif")).isEqualTo(RejectReason.UNSUPPORTED);
        byte[] svg =
                "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>".getBytes(StandardCharsets.UTF_8);
        assertThat(rejection(svg, "s.png", LIMITS)).hasMessage("s.png: SVG images are not supported");
    }

    @Test
    void aJpegVariantTheDecoderCannotDoIsUnsupported() {
        byte[] jpeg = TestImages.jpeg(TestImages.filled(16, 16, 0x336699), false);
        byte[] hierarchical = jpeg.clone();
        for (int i = 2; i < jpeg.length - 1; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xC0) {
                hierarchical[i + 1] = (byte) 0xC5; // SOF5: differential (hierarchical) Huffman
                break;
            }
        }
        ImageRejectedException e = rejection(hierarchical, "h.jpg", LIMITS);
        assertThat(e.reason()).isEqualTo(RejectReason.UNSUPPORTED);
        assertThat(e.getMessage()).startsWith("h.jpg: unsupported JPEG variant (");
    }

    @Test
    void aHugeHeaderIsRejectedAtOnceWithoutDecoding() {
        byte[] huge = TestImages.pngHeaderOnly(100_000, 100_000);
        assertThat(huge).hasSizeLessThan(64);
        ImageRejectedException e = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                Duration.ofSeconds(5), () -> rejection(huge, "bomb.png", LIMITS));
        assertThat(e)
                .hasMessage("bomb.png: 100000x100000 exceeds the decode limits (20000 per side, 100000000 pixels)");
        assertThat(e.reason()).isEqualTo(RejectReason.TOO_LARGE);
        assertThat(reason(TestImages.pngHeaderOnly(20_001, 1), "wide.png")).isEqualTo(RejectReason.TOO_LARGE);
        assertThat(reason(TestImages.pngHeaderOnly(15_000, 15_000), "many.png")).isEqualTo(RejectReason.TOO_LARGE);
    }

    @Test
    void limitsApplyToEveryFormat() {
        DecodeLimits small = new DecodeLimits(1000, 20_000);
        byte[] png = TestImages.encode(TestImages.noise(64, 64, 1), "png");
        assertThat(rejection(png, "big.png", small))
                .hasMessage("big.png: 64x64 exceeds the decode limits (20000 per side, 1000 pixels)");
        assertThat(rejection(TestImages.jpeg(TestImages.noise(64, 64, 1), false), "big.jpg", small)
                        .reason())
                .isEqualTo(RejectReason.TOO_LARGE);
        assertThat(rejection(TinyWebp.lossless(40, 1, new int[40]), "wide.webp", new DecodeLimits(1000, 32))
                        .reason())
                .isEqualTo(RejectReason.TOO_LARGE);
    }

    @Test
    void truncatedPngIsTruncatedWhereverItIsCut() {
        assertEveryCutIsTruncated(TestImages.encode(TestImages.noise(64, 64, 2), "png"), "t.png");
        assertThat(reason(TestImages.pngHeaderOnly(10, 10), "header-only.png")).isEqualTo(RejectReason.TRUNCATED);
    }

    @Test
    void truncatedJpegIsTruncatedThoughImageIoWouldFillItWithGrey() throws IOException {
        byte[] jpeg = TestImages.jpeg(TestImages.noise(64, 64, 3), false);
        byte[] half = Arrays.copyOf(jpeg, jpeg.length / 2);
        assertThat(ImageIO.read(new java.io.ByteArrayInputStream(half)))
                .as("plain ImageIO returns an image")
                .isNotNull();
        ImageRejectedException e = rejection(half, "shard-0003.tar/000123.jpg", LIMITS);
        assertThat(e.reason()).isEqualTo(RejectReason.TRUNCATED);
        assertThat(e.getMessage()).startsWith("shard-0003.tar/000123.jpg: truncated JPEG (");
        assertEveryCutIsTruncated(jpeg, "t.jpg");
    }

    @Test
    void truncatedProgressiveJpegIsTruncated() {
        assertEveryCutIsTruncated(TestImages.jpeg(TestImages.noise(64, 64, 4), true), "p.jpg");
    }

    @Test
    void aJpegMissingOnlyItsEndMarkerIsTruncated() {
        byte[] jpeg = TestImages.jpeg(TestImages.noise(32, 32, 5), false);
        assertThat(reason(Arrays.copyOf(jpeg, jpeg.length - 2), "no-eoi.jpg")).isEqualTo(RejectReason.TRUNCATED);
    }

    @Test
    void truncatedCmykJpegIsTruncated() {
        byte[] cmyk = TestImages.cmykJpeg(64, 64, new int[] {255, 0, 0, 0}, new int[] {0, 90, 200, 30});
        assertThat(reason(Arrays.copyOf(cmyk, cmyk.length * 2 / 3), "cmyk.jpg")).isEqualTo(RejectReason.TRUNCATED);
    }

    @Test
    void truncatedWebpIsTruncatedThoughTheReaderWouldPadIt() {
        int[] argb = {0xFFFF0000, 0xFF00FF00, 0xFF0000FF, 0xFFFFFF00};
        byte[] webp = TinyWebp.lossless(2, 2, argb);
        for (int cut = 1; cut < webp.length; cut++) {
            assertThat(reason(Arrays.copyOf(webp, cut), "t.webp"))
                    .as("cut to %d bytes", cut)
                    .isIn(RejectReason.TRUNCATED, RejectReason.UNDECODABLE); // under 12 bytes it is no WebP yet
        }
        assertThat(reason(Arrays.copyOf(webp, webp.length - 3), "t.webp")).isEqualTo(RejectReason.TRUNCATED);
    }

    @Test
    void truncatedGifAndBmpAreTruncated() {
        BufferedImage image = TestImages.noise(64, 64, 6);
        byte[] gif = TestImages.encode(image, "gif");
        assertThat(reason(Arrays.copyOf(gif, gif.length / 2), "t.gif")).isEqualTo(RejectReason.TRUNCATED);
        byte[] bmp = TestImages.encode(image, "bmp");
        assertThat(reason(Arrays.copyOf(bmp, bmp.length / 2), "t.bmp")).isEqualTo(RejectReason.TRUNCATED);
    }

    @Test
    void aCompleteJpegWithDamagedDataIsUndecodable() {
        byte[] jpeg = TestImages.jpeg(TestImages.noise(64, 64, 7), false);
        for (int i = jpeg.length / 2; i < jpeg.length / 2 + 20; i++) {
            jpeg[i] ^= 0x5A;
        }
        ImageRejectedException e = rejection(jpeg, "d.jpg", LIMITS);
        assertThat(e.reason()).isEqualTo(RejectReason.UNDECODABLE);
        assertThat(e.getMessage()).startsWith("d.jpg: corrupt JPEG data (Corrupt JPEG data: ");
    }

    @Test
    void aPngWhoseCrcDoesNotMatchIsUndecodable() {
        byte[] png = TestImages.encode(TestImages.noise(16, 16, 8), "png");
        int idat = TestImages.pngChunkOffset(png, "IDAT");
        png[idat + 8 + 20] ^= 0x01; // one flipped bit in the compressed pixels
        assertThat(rejection(png, "bitrot.png", LIMITS))
                .hasMessage("bitrot.png: corrupt PNG data (CRC mismatch in the IDAT chunk)")
                .extracting(ImageRejectedException::reason)
                .isEqualTo(RejectReason.UNDECODABLE);
    }

    @Test
    void aPngWithDamagedPixelDataAndAValidCrcIsUndecodable() {
        byte[] png = TestImages.encode(TestImages.noise(16, 16, 9), "png");
        int idat = TestImages.pngChunkOffset(png, "IDAT");
        Arrays.fill(png, idat + 8 + 2, idat + 8 + 12, (byte) 0xFF); // past the zlib header
        TestImages.fixPngChunkCrc(png, idat);
        ImageRejectedException e = rejection(png, "damaged.png", LIMITS);
        assertThat(e.reason()).isEqualTo(RejectReason.UNDECODABLE);
        assertThat(e.getMessage()).startsWith("damaged.png: corrupt PNG data (");
    }

    @Test
    void harmlessWarningsDoNotReject() throws Exception {
        // TwelveMonkeys warns that a CMYK JPEG has no ICC profile; the pixels are fine
        RgbImage image = GuardedDecoder.decode(TestImages.cmykJpeg(16, 16, new int[4], new int[4]), "w.jpg", LIMITS);
        assertThat(image.value(3, 3, 0)).isGreaterThan(250);
    }

    @Test
    void thePlainApiReportsRejectionsAsIoExceptionsWithTheReasonAsCause() {
        byte[] jpeg = TestImages.jpeg(TestImages.noise(64, 64, 3), false);
        ThrowingCallable decodeHalf = () -> ImageDecoder.decode(Arrays.copyOf(jpeg, jpeg.length / 2), "cut.jpg");
        assertThatThrownBy(decodeHalf)
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cut.jpg: truncated JPEG")
                .cause()
                .isInstanceOf(ImageRejectedException.class)
                .extracting(c -> ((ImageRejectedException) c).reason())
                .isEqualTo(RejectReason.TRUNCATED);
    }

    @Test
    void damagedFilesOfEveryFormatDecodeOrAreRejectedButNeverThrowAnythingElse() throws Exception {
        List<byte[]> valid = List.of(
                TestImages.jpeg(TestImages.noise(40, 30, 1), false),
                TestImages.jpeg(TestImages.noise(40, 30, 1), true),
                TestImages.cmykJpeg(24, 16, new int[] {255, 0, 0, 0}, new int[] {0, 30, 200, 9}),
                TestImages.encode(TestImages.noise(20, 10, 1), "png"),
                TestImages.encode(TestImages.noise(20, 10, 1), "gif"),
                TestImages.encode(TestImages.noise(20, 10, 1), "bmp"),
                TestImages.encode(TestImages.noise(20, 10, 1), "tiff"),
                TinyWebp.lossless(3, 1, new int[] {0xFF000000, 0xFFFFFFFF, 0}),
                TinyWebp.LOSSY_1X1);
        Random random = new Random(11);
        for (byte[] file : valid) {
            for (int i = 0; i < 60; i++) {
                byte[] damaged = file.clone();
                if (i % 2 == 0) {
                    damaged = Arrays.copyOf(damaged, random.nextInt(damaged.length));
                } else {
                    for (int k = 0; k <= i % 4; k++) {
                        damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
                    }
                }
                try {
                    RgbImage image = ImageDecoder.decode(damaged, "fuzz", LIMITS);
                    assertThat(image.width()).isPositive();
                } catch (ImageRejectedException e) {
                    assertThat(e.getMessage()).startsWith("fuzz: ").doesNotContain("\n");
                }
            }
        }
    }

    @Test
    void decodeLimitsAreValidated() {
        assertThatThrownBy(() -> new DecodeLimits(0, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 0");
        assertThatThrownBy(() -> new DecodeLimits(10, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got -1");
        assertThat(DecodeLimits.defaults()).isEqualTo(new DecodeLimits(100_000_000L, 20_000));
    }
}
