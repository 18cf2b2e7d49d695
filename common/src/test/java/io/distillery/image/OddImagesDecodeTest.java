package io.distillery.image;

import static io.distillery.image.TestImages.rgbAt;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import org.assertj.core.api.AbstractIntArrayAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of image a scraped dataset holds decodes to the RGB PIL's convert("RGB") would give. */
class OddImagesDecodeTest {
    /** Flat colours survive JPEG at quality 0.95 to within this per channel. */
    private static final int JPEG_TOLERANCE = 4;

    @TempDir
    Path dir;

    private static RgbImage decode(byte[] bytes, String name) throws ImageRejectedException {
        return ImageDecoder.decode(bytes, name, DecodeLimits.defaults());
    }

    private static void assertClose(int[] actual, int... expected) {
        for (int c = 0; c < 3; c++) {
            assertThat(actual[c])
                    .as("channel %d of %s", c, Arrays.toString(actual))
                    .isBetween(expected[c] - JPEG_TOLERANCE, expected[c] + JPEG_TOLERANCE);
        }
    }

    private static AbstractIntArrayAssert<?> assertPixel(RgbImage image, int x, int y) {
        return assertThat(rgbAt(image, x, y)).as("pixel (%d, %d)", x, y);
    }

    @Test
    void theTwelveMonkeysReadersAreTheOnesImageIoUses() {
        ImageReader jpeg = ImageIO.getImageReadersByFormatName("jpeg").next();
        assertThat(jpeg.getClass().getName()).startsWith("com.twelvemonkeys.");
        assertThat(ImageIO.getImageReadersByFormatName("webp").hasNext()).isTrue();
    }

    @Test
    void grayscaleWithAlphaKeepsTheGrayAndDropsTheAlpha() throws Exception {
        ComponentColorModel cm = new ComponentColorModel(
                ColorSpace.getInstance(ColorSpace.CS_GRAY),
                true,
                false,
                Transparency.TRANSLUCENT,
                DataBuffer.TYPE_BYTE);
        WritableRaster raster = cm.createCompatibleWritableRaster(2, 1);
        raster.setPixel(0, 0, new int[] {37, 0});
        raster.setPixel(1, 0, new int[] {200, 128});
        RgbImage rgb = decode(TestImages.encode(new BufferedImage(cm, raster, false, null), "png"), "ga.png");
        assertPixel(rgb, 0, 0).containsExactly(37, 37, 37);
        assertPixel(rgb, 1, 0).containsExactly(200, 200, 200);
    }

    @Test
    void sixteenBitRgbaKeepsTheHighBytesAndDropsTheAlpha() throws Exception {
        ComponentColorModel cm = new ComponentColorModel(
                ColorSpace.getInstance(ColorSpace.CS_sRGB),
                true,
                false,
                Transparency.TRANSLUCENT,
                DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(1, 1);
        raster.setPixel(0, 0, new int[] {0xABFF, 0x0100, 0x7F7F, 0x0000}); // fully transparent
        RgbImage rgb = decode(TestImages.encode(new BufferedImage(cm, raster, false, null), "png"), "rgba16.png");
        assertPixel(rgb, 0, 0).containsExactly(0xAB, 0x01, 0x7F);
    }

    @Test
    void paletteGifUsesThePaletteColours() throws Exception {
        IndexColorModel palette =
                new IndexColorModel(2, 2, new byte[] {10, (byte) 200}, new byte[] {20, 0}, new byte[] {30, (byte) 255});
        BufferedImage indexed = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_BINARY, palette);
        indexed.getRaster().setSample(1, 0, 0, 1);
        RgbImage rgb = decode(TestImages.encode(indexed, "gif"), "p.gif");
        assertPixel(rgb, 0, 0).containsExactly(10, 20, 30);
        assertPixel(rgb, 1, 0).containsExactly(200, 0, 255);
    }

    @Test
    void bmpDecodesExactly() throws Exception {
        BufferedImage image = TestImages.noise(5, 3, 4);
        RgbImage rgb = decode(TestImages.encode(image, "bmp"), "n.bmp");
        assertPixel(rgb, 4, 2)
                .containsExactly(
                        (image.getRGB(4, 2) >> 16) & 0xFF, (image.getRGB(4, 2) >> 8) & 0xFF, image.getRGB(4, 2) & 0xFF);
    }

    @Test
    void grayscaleJpegGivesEqualChannels() throws Exception {
        BufferedImage gray = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                gray.getRaster().setSample(x, y, 0, 90);
            }
        }
        RgbImage rgb = decode(TestImages.jpeg(gray, false), "g.jpg");
        int[] px = rgbAt(rgb, 8, 8);
        assertThat(px[0]).isEqualTo(px[1]).isEqualTo(px[2]).isBetween(90 - JPEG_TOLERANCE, 90 + JPEG_TOLERANCE);
    }

    @Test
    void progressiveJpegDecodesLikeTheBaselineOne() throws Exception {
        BufferedImage image = TestImages.filled(32, 24, 0x40_80_C0);
        RgbImage progressive = decode(TestImages.jpeg(image, true), "p.jpg");
        assertThat(progressive.width()).isEqualTo(32);
        assertThat(progressive.height()).isEqualTo(24);
        assertClose(rgbAt(progressive, 20, 10), 0x40, 0x80, 0xC0);
        assertClose(rgbAt(decode(TestImages.jpeg(image, false), "b.jpg"), 20, 10), 0x40, 0x80, 0xC0);
    }

    @Test
    void cmykJpegHasPilsColours() throws Exception {
        int[] cyan = {255, 0, 0, 0};
        int[] magenta = {0, 255, 0, 0};
        int[] yellow = {0, 0, 255, 0};
        int[] black = {0, 0, 0, 255};
        int[] mixed = {128, 64, 32, 16};
        RgbImage cy = decode(TestImages.cmykJpeg(16, 16, cyan, yellow), "cy.jpg");
        assertClose(rgbAt(cy, 3, 8), 0, 255, 255);
        assertClose(rgbAt(cy, 12, 8), 255, 255, 0);
        RgbImage mk = decode(TestImages.cmykJpeg(16, 16, magenta, black), "mk.jpg");
        assertClose(rgbAt(mk, 3, 8), 255, 0, 255);
        assertClose(rgbAt(mk, 12, 8), 0, 0, 0);
        // PIL's cmyk2rgb: (255 - K) - C * (255 - K) / 255 per channel, rounded as PIL rounds
        RgbImage mixedImage = decode(TestImages.cmykJpeg(16, 16, mixed, mixed), "mixed.jpg");
        assertClose(rgbAt(mixedImage, 8, 8), 119, 179, 209);
    }

    @Test
    void ycckJpegHasPilsColours() throws Exception {
        assertClose(rgbAt(decode(TestImages.ycckJpeg(16, 16, new int[] {255, 0, 0, 0}), "c.jpg"), 8, 8), 0, 255, 255);
        assertClose(rgbAt(decode(TestImages.ycckJpeg(16, 16, new int[] {0, 0, 255, 0}), "y.jpg"), 8, 8), 255, 255, 0);
        assertClose(
                rgbAt(decode(TestImages.ycckJpeg(16, 16, new int[] {128, 64, 32, 16}), "m.jpg"), 8, 8), 119, 179, 209);
    }

    @Test
    void anEmbeddedIccProfileDoesNotChangeTheStoredColours() throws Exception {
        byte[] plain = TestImages.jpeg(TestImages.filled(16, 16, 0x20_C1_40), false);
        byte[] tagged = TestImages.insertAfterSoi(plain, TestImages.iccSegment(TestImages.adobeRgbProfile()));
        // TwelveMonkeys alone converts Adobe RGB to sRGB here (32,193,64 -> about 0,194,45); PIL keeps the samples
        RgbImage fromTagged = decode(tagged, "tagged.jpg");
        RgbImage fromPlain = decode(plain, "plain.jpg");
        assertPixel(fromTagged, 8, 8).containsExactly(rgbAt(fromPlain, 8, 8));
        assertThat(Arrays.equals(fromTagged.toRgbBytes(), fromPlain.toRgbBytes()))
                .as("same bytes")
                .isTrue();
    }

    @Test
    void losslessWebpDecodesExactly() throws Exception {
        int[] argb = {0xFFFF0000, 0xFF00FF00, 0xFF0000FF, 0xFFFFFF00};
        RgbImage rgb = decode(TinyWebp.lossless(2, 2, argb), "q.webp");
        assertThat(rgb.width()).isEqualTo(2);
        assertPixel(rgb, 0, 0).containsExactly(255, 0, 0);
        assertPixel(rgb, 1, 0).containsExactly(0, 255, 0);
        assertPixel(rgb, 0, 1).containsExactly(0, 0, 255);
        assertPixel(rgb, 1, 1).containsExactly(255, 255, 0);
    }

    @Test
    void webpWithAlphaDropsItWithoutPremultiplying() throws Exception {
        int[] argb = {0x00_30_A0_10, 0xFF_30_A0_F0, 0x00_C0_A0_10};
        RgbImage rgb = decode(TinyWebp.lossless(3, 1, argb), "a.webp");
        assertPixel(rgb, 0, 0).containsExactly(0x30, 0xA0, 0x10);
        assertPixel(rgb, 1, 0).containsExactly(0x30, 0xA0, 0xF0);
        assertPixel(rgb, 2, 0).containsExactly(0xC0, 0xA0, 0x10);
    }

    @Test
    void webpWithAnIccProfileKeepsTheStoredColours() throws Exception {
        int[] argb = {0xFF_20_C1_40, 0xFF_20_C1_40};
        byte[] tagged = TinyWebp.losslessWithIccProfile(2, 1, argb, TestImages.adobeRgbProfile());
        RgbImage rgb = decode(tagged, "icc.webp");
        assertPixel(rgb, 1, 0).containsExactly(0x20, 0xC1, 0x40);
    }

    @Test
    void lossyWebpDecodes() throws Exception {
        RgbImage rgb = decode(TinyWebp.LOSSY_1X1, "lossy.webp");
        assertThat(rgb.width()).isEqualTo(1);
        assertThat(rgb.height()).isEqualTo(1);
    }

    @Test
    void aWebpFileWrittenToDiskDecodesThroughThePathApi() throws Exception {
        Path file = dir.resolve("tiny.webp");
        Files.write(file, TinyWebp.lossless(1, 1, new int[] {0xFF_00_80_FF}));
        assertPixel(ImageDecoder.decode(file), 0, 0).containsExactly(0x00, 0x80, 0xFF);
    }
}
