package io.distillery.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class ViewSamplerTest {
    private final ViewSampler sampler = new ViewSampler(224, 0.9, 0.08, 1.0, 0.75, 4.0 / 3, true);

    @Test
    void evalViewIsTheCentredCropOfTheShorterSide() {
        ViewSpec v = sampler.evalView(500, 375);
        assertThat(v.width()).isEqualTo(337.5);
        assertThat(v.height()).isEqualTo(337.5);
        assertThat(v.x()).isEqualTo(81.25);
        assertThat(v.y()).isEqualTo(18.75);
        assertThat(v.flip()).isFalse();
        assertThat(v.index()).isZero();
    }

    @Test
    void randomViewsArePureFunctionsOfSeedKeyAndIndex() {
        ViewSpec a = sampler.randomView(7, "n01440764/x.JPEG", 1, 500, 375);
        assertThat(sampler.randomView(7, "n01440764/x.JPEG", 1, 500, 375)).isEqualTo(a);
        assertThat(sampler.randomView(7, "n01440764/x.JPEG", 2, 500, 375)).isNotEqualTo(a);
        assertThat(sampler.randomView(8, "n01440764/x.JPEG", 1, 500, 375)).isNotEqualTo(a);
        assertThat(sampler.randomView(7, "n01440764/y.JPEG", 1, 500, 375)).isNotEqualTo(a);
        assertThat(ViewSampler.seed(7, "k", 1)).isEqualTo(ViewSampler.seed(7, "k", 1)).isNotEqualTo(ViewSampler.seed(7, "k", 2));
    }

    @Test
    void randomViewsStayInsideWithTheRequestedAreaAndHalfAreFlipped() {
        int flipped = 0;
        for (int i = 0; i < 2000; i++) {
            ViewSpec v = sampler.randomView(1, "key" + i, 1, 500, 375);
            assertThat(v.x() + v.width()).isLessThanOrEqualTo(500);
            assertThat(v.y() + v.height()).isLessThanOrEqualTo(375);
            double fraction = v.width() * v.height() / (500.0 * 375);
            assertThat(fraction).isBetween(0.07, 1.0);
            assertThat(v.width() / v.height()).isBetween(0.74, 1.35);
            flipped += v.flip() ? 1 : 0;
        }
        assertThat(flipped / 2000.0).isCloseTo(0.5, Offset.offset(0.05));
        assertThatThrownBy(() -> sampler.randomView(1, "k", 0, 10, 10)).hasMessageContaining("numbered from 1");
    }
}
