package io.distillery.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ViewRendererTest {

    /** Left half red, right half blue. */
    private static RgbImage halves(int w, int h) {
        return image(w, h, (x, y) -> x < w / 2 ? 0xFF0000 : 0x0000FF);
    }

    private interface Pixels {
        int rgb(int x, int y);
    }

    private static RgbImage image(int w, int h, Pixels pixels) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = pixels.rgb(x, y);
                int i = (y * w + x) * 3;
                rgb[i] = (byte) (p >> 16);
                rgb[i + 1] = (byte) (p >> 8);
                rgb[i + 2] = (byte) p;
            }
        }
        return new RgbImage("test", w, h, rgb);
    }

    private static void assertEverywhere(RgbImage image, int r, int g, int b) {
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                assertThat(TestImages.rgbAt(image, x, y))
                        .as("pixel (%d, %d)", x, y)
                        .containsExactly(r, g, b);
            }
        }
    }

    @Test
    void fullBoxOfAnImageOfTheRightSizeIsUnchanged() {
        RgbImage image = TestImages.noiseRgb(16, 16, 1);
        assertThat(ViewRenderer.render(image, new ViewSpec(0, 0, 0, 16, 16, false), 16))
                .isSameAs(image);
    }

    @Test
    void aBoxInsideOneColourRendersOnlyThatColourUpToItsEdges() {
        RgbImage image = halves(400, 300);
        // the box ends exactly at the colour boundary: nothing from outside the box may leak in
        assertEverywhere(ViewRenderer.render(image, new ViewSpec(1, 0, 0, 200, 300, false), 32), 255, 0, 0);
        assertEverywhere(ViewRenderer.render(image, new ViewSpec(1, 200, 0, 200, 300, false), 32), 0, 0, 255);
        assertEverywhere(ViewRenderer.render(image, new ViewSpec(1, 20, 20, 150, 150, false), 224), 255, 0, 0);
    }

    @Test
    void aStraddlingBoxShowsBothColoursAndTheFlipMirrorsIt() {
        RgbImage image = halves(400, 300);
        RgbImage straddle = ViewRenderer.render(image, new ViewSpec(1, 100, 0, 200, 200, false), 32);
        RgbImage mirrored = ViewRenderer.render(image, new ViewSpec(1, 100, 0, 200, 200, true), 32);
        assertThat(TestImages.rgbAt(straddle, 2, 10)).containsExactly(255, 0, 0);
        assertThat(TestImages.rgbAt(straddle, 29, 10)).containsExactly(0, 0, 255);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                assertThat(TestImages.rgbAt(mirrored, x, y)).containsExactly(TestImages.rgbAt(straddle, 31 - x, y));
            }
        }
    }

    @Test
    void aFlippedFullBoxOfTheRightSizeIsTheMirroredImage() {
        RgbImage image = TestImages.noiseRgb(9, 9, 2);
        RgbImage flipped = ViewRenderer.render(image, new ViewSpec(1, 0, 0, 9, 9, true), 9);
        for (int y = 0; y < 9; y++) {
            for (int x = 0; x < 9; x++) {
                assertThat(TestImages.rgbAt(flipped, x, y)).containsExactly(TestImages.rgbAt(image, 8 - x, y));
            }
        }
    }

    @Test
    void aBoxOfTheOutputSizeIsCopiedExactly() {
        RgbImage image = TestImages.noiseRgb(40, 30, 3);
        RgbImage crop = ViewRenderer.render(image, new ViewSpec(1, 7, 5, 16, 16, false), 16);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                assertThat(TestImages.rgbAt(crop, x, y)).containsExactly(TestImages.rgbAt(image, 7 + x, 5 + y));
            }
        }
    }

    @Test
    void renderingIsDeterministic() {
        RgbImage image = TestImages.noiseRgb(500, 375, 4);
        ViewSampler sampler = new ViewSampler(224, 0.9, 0.08, 1.0, 0.75, 4.0 / 3, true);
        for (ViewSpec view : new ViewSpec[] {sampler.evalView(500, 375), sampler.randomView(5, "k", 1, 500, 375)}) {
            RgbImage first = ViewRenderer.render(image, view, 224);
            assertThat(first.width()).isEqualTo(224);
            assertThat(first.height()).isEqualTo(224);
            assertThat(ViewRenderer.render(image, view, 224).toRgbBytes()).isEqualTo(first.toRgbBytes());
        }
    }

    @Test
    void largeReductionsAverageInsteadOfAliasing() {
        // a one-pixel checkerboard shrunk 8x must come out mid-grey, not a moire of black and white
        RgbImage checker = image(256, 256, (x, y) -> (x + y) % 2 == 0 ? 0xFFFFFF : 0x000000);
        RgbImage small = ViewRenderer.render(checker, new ViewSpec(1, 0, 0, 256, 256, false), 32);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                assertThat(small.value(x, y, 1)).as("pixel (%d, %d)", x, y).isBetween(124, 131);
            }
        }
    }

    @Test
    void fractionalBoxesAndUpscalingKeepFlatColoursFlat() {
        RgbImage flat = image(50, 40, (x, y) -> 0x336699);
        assertEverywhere(
                ViewRenderer.render(flat, new ViewSpec(1, 3.25, 1.5, 20.5, 30.75, false), 64), 0x33, 0x66, 0x99);
        assertEverywhere(ViewRenderer.render(flat, new ViewSpec(0, 5, 0, 40, 40, false), 17), 0x33, 0x66, 0x99);
    }

    @Test
    void aGradientStaysOrdered() {
        RgbImage gradient = image(300, 100, (x, y) -> (x * 255 / 299) << 8);
        RgbImage view = ViewRenderer.render(gradient, new ViewSpec(0, 10.5, 5.25, 280.5, 90, false), 50);
        for (int x = 1; x < 50; x++) {
            assertThat(view.value(x, 25, 1)).isGreaterThanOrEqualTo(view.value(x - 1, 25, 1));
        }
        assertThat(view.value(0, 25, 1)).isLessThan(20);
        assertThat(view.value(49, 25, 1)).isGreaterThan(235);
    }

    @Test
    void boxesOutsideTheImageAndBadSizesAreRejected() {
        RgbImage image = halves(40, 30);
        assertThatThrownBy(() -> ViewRenderer.render(image, new ViewSpec(1, 30, 0, 20, 10, false), 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not fit")
                .hasMessageContaining("40x30");
        assertThatThrownBy(() -> ViewRenderer.render(image, new ViewSpec(1, 0, 0, 10, 10, false), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 0");
    }
}
