package io.distillery.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EvalTransformTest {

    /** Left half red, right half blue, 60 wide x 30 high. */
    private static RgbImage halves() {
        int w = 60;
        int h = 30;
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
    void imageOfTheRightSizeIsReturnedUnchanged() {
        RgbImage square = new RgbImage("sq", 4, 4, new byte[48]);
        assertThat(EvalTransform.resizeShorterSideAndCenterCrop(square, 4)).isSameAs(square);
    }

    @Test
    void shorterSideIsScaledAndTheCentreIsCropped() {
        RgbImage out = EvalTransform.resizeShorterSideAndCenterCrop(halves(), 16);
        assertThat(out.width()).isEqualTo(16);
        assertThat(out.height()).isEqualTo(16);
        // scaled to 32x16, crop columns 8..23: left half red, right half blue, boundary in the middle
        assertThat(out.value(1, 8, 0)).isGreaterThan(240);
        assertThat(out.value(1, 8, 2)).isLessThan(15);
        assertThat(out.value(14, 8, 2)).isGreaterThan(240);
        assertThat(out.value(14, 8, 0)).isLessThan(15);
        assertThat(out.source()).isEqualTo("halves");
    }
}
