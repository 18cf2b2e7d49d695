package io.distillery.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDecoderTest {

    @TempDir
    Path dir;

    @Test
    void parityImagesAre8BitRgb32x32() throws IOException {
        RgbImage image =
                ImageDecoder.decode(ImagePreprocessorParityTest.parityImages().get(0));
        assertThat(image.width()).isEqualTo(32);
        assertThat(image.height()).isEqualTo(32);
        assertThat(image.source()).endsWith("img_0.png");
    }

    @Test
    void grayscalePngGivesEqualChannelsWithTheStoredValue() throws IOException {
        BufferedImage gray = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_GRAY);
        int[] values = {0, 37, 128, 255};
        for (int x = 0; x < 4; x++) {
            gray.getRaster().setSample(x, 0, 0, values[x]);
        }
        RgbImage rgb = ImageDecoder.decode(png(gray, "gray.png"));
        for (int x = 0; x < 4; x++) {
            // BufferedImage.getRGB would give 0, 106, 188, 255 here: Java treats its gray space as linear.
            assertThat(channels(rgb, x, 0)).as("pixel %d", x).containsExactly(values[x], values[x], values[x]);
        }
    }

    @Test
    void rgbaPngDropsAlphaWithoutPremultiplying() throws IOException {
        BufferedImage rgba = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB);
        rgba.setRGB(0, 0, 0x00_C8_64_32); // fully transparent, colour still stored
        rgba.setRGB(1, 0, 0x80_10_20_F0); // half transparent
        rgba.setRGB(2, 0, 0xFF_01_02_03);
        RgbImage rgb = ImageDecoder.decode(png(rgba, "rgba.png"));
        assertThat(channels(rgb, 0, 0)).containsExactly(0xC8, 0x64, 0x32);
        assertThat(channels(rgb, 1, 0)).containsExactly(0x10, 0x20, 0xF0);
        assertThat(channels(rgb, 2, 0)).containsExactly(1, 2, 3);
    }

    @Test
    void sixteenBitRgbPngKeepsTheHighByte() throws IOException {
        ComponentColorModel cm = new ComponentColorModel(
                ColorSpace.getInstance(ColorSpace.CS_sRGB),
                new int[] {16, 16, 16},
                false,
                false,
                Transparency.OPAQUE,
                DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(2, 1);
        raster.setPixel(0, 0, new int[] {0xFFFF, 0x8000, 0x0000});
        raster.setPixel(1, 0, new int[] {200 * 257, 0x12FF, 0x0101});
        BufferedImage image = new BufferedImage(cm, raster, false, null);
        RgbImage rgb = ImageDecoder.decode(png(image, "rgb16.png"));
        assertThat(channels(rgb, 0, 0)).containsExactly(255, 128, 0);
        assertThat(channels(rgb, 1, 0)).containsExactly(200, 0x12, 1);
    }

    @Test
    void sixteenBitGrayPngKeepsTheHighByte() throws IOException {
        BufferedImage gray = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
        gray.getRaster().setSample(0, 0, 0, 100 * 257);
        gray.getRaster().setSample(1, 0, 0, 0xFFFF);
        RgbImage rgb = ImageDecoder.decode(png(gray, "gray16.png"));
        assertThat(channels(rgb, 0, 0)).containsExactly(100, 100, 100);
        assertThat(channels(rgb, 1, 0)).containsExactly(255, 255, 255);
    }

    @Test
    void palettePngUsesThePaletteColours() throws IOException {
        byte[] r = {(byte) 250, 0, 7};
        byte[] g = {0, (byte) 128, 8};
        byte[] b = {3, (byte) 255, 9};
        IndexColorModel palette = new IndexColorModel(2, 3, r, g, b);
        BufferedImage indexed = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_BINARY, palette);
        for (int x = 0; x < 3; x++) {
            indexed.getRaster().setSample(x, 0, 0, x);
        }
        RgbImage rgb = ImageDecoder.decode(png(indexed, "palette.png"));
        assertThat(channels(rgb, 0, 0)).containsExactly(250, 0, 3);
        assertThat(channels(rgb, 1, 0)).containsExactly(0, 128, 255);
        assertThat(channels(rgb, 2, 0)).containsExactly(7, 8, 9);
    }

    @Test
    void jpegDecodesToApproximatelyTheEncodedColour() throws IOException {
        BufferedImage flat = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                flat.setRGB(x, y, 0x40_80_C0);
            }
        }
        Path f = dir.resolve("flat.jpg");
        assertThat(ImageIO.write(flat, "jpeg", f.toFile())).isTrue();
        RgbImage rgb = ImageDecoder.decode(f);
        int[] px = channels(rgb, 8, 8);
        assertThat(px[0]).isBetween(0x40 - 3, 0x40 + 3);
        assertThat(px[1]).isBetween(0x80 - 3, 0x80 + 3);
        assertThat(px[2]).isBetween(0xC0 - 3, 0xC0 + 3);
    }

    @Test
    void undecodableFileIsAnIOExceptionNamingTheFile() throws IOException {
        Path f = dir.resolve("broken.png");
        Files.writeString(f, "definitely not an image");
        assertThatThrownBy(() -> ImageDecoder.decode(f))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(f.toString())
                .hasMessageNotContaining("\n");
    }

    @Test
    void truncatedPngIsAnIOExceptionNamingTheFile() throws IOException {
        byte[] full =
                Files.readAllBytes(ImagePreprocessorParityTest.parityImages().get(1));
        byte[] half = java.util.Arrays.copyOf(full, full.length / 2);
        assertThatThrownBy(() -> ImageDecoder.decode(half, "cut.png"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cut.png")
                .hasMessageNotContaining("\n");
    }

    private Path png(BufferedImage image, String name) throws IOException {
        Path f = dir.resolve(name);
        assertThat(ImageIO.write(image, "png", f.toFile()))
                .as("PNG writer available")
                .isTrue();
        return f;
    }

    private static int[] channels(RgbImage image, int x, int y) {
        return new int[] {image.value(x, y, 0), image.value(x, y, 1), image.value(x, y, 2)};
    }
}
