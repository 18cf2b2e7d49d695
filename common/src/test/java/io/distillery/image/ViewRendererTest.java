package io.distillery.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ViewRendererTest {

    /** Left half red, right half blue. */
    private static RgbImage halves(int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = (y * w + x) * 3;
                rgb[i] = (byte) (x < w / 2 ? 255 : 0);
                rgb[i + 2] = (byte) (x < w / 2 ? 0 : 255);
            }
        }
        return new RgbImage("halves", w, h, rgb);
    }

    @Test
    void fullBoxOfAnImageOfTheRightSizeIsUnchanged() {
        RgbImage image = halves(16, 16);
        assertThat(ViewRenderer.render(image, new ViewSpec(0, 0, 0, 16, 16, false), 16)).isSameAs(image);
    }

    @Test
    void leftHalfBoxRendersAllRedAndFlipMirrors() {
        RgbImage image = halves(400, 300);
        RgbImage left = ViewRenderer.render(image, new ViewSpec(1, 20, 20, 150, 150, false), 32);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                assertThat(left.value(x, y, 0)).isGreaterThan(240);
                assertThat(left.value(x, y, 2)).isLessThan(15);
            }
        }
        RgbImage straddle = ViewRenderer.render(image, new ViewSpec(1, 100, 0, 200, 200, false), 32);
        RgbImage mirrored = ViewRenderer.render(image, new ViewSpec(1, 100, 0, 200, 200, true), 32);
        assertThat(straddle.value(2, 10, 0)).isGreaterThan(200);
        assertThat(straddle.value(29, 10, 2)).isGreaterThan(200);
        for (int x = 0; x < 32; x++) {
            assertThat(mirrored.value(x, 10, 0)).isEqualTo(straddle.value(31 - x, 10, 0));
        }
        assertThat(ViewRenderer.render(image, new ViewSpec(1, 100, 0, 200, 200, true), 32).toRgbBytes())
                .isEqualTo(mirrored.toRgbBytes());
    }
}
