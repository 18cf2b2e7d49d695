package io.distillery.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class ViewSamplerTest {
    private final ViewSampler sampler = new ViewSampler(224, 0.9, 0.08, 1.0, 0.75, 4.0 / 3, true);

    @Test
    void evalViewIsTheCentredCropOfTheShorterSide() {
        ViewSpec v = sampler.evalView(500, 375);
        assertThat(v).isEqualTo(new ViewSpec(0, 81.25, 18.75, 337.5, 337.5, false));
        ViewSpec portrait = sampler.evalView(300, 400);
        assertThat(portrait).isEqualTo(new ViewSpec(0, 15, 65, 270, 270, false));
        ViewSpec whole = new ViewSampler(224, 1.0, 0.08, 1.0, 0.75, 4.0 / 3, true).evalView(500, 375);
        assertThat(whole).isEqualTo(new ViewSpec(0, 62.5, 0, 375, 375, false));
    }

    @Test
    void randomViewsArePureFunctionsOfSeedKeyAndIndex() {
        ViewSpec a = sampler.randomView(7, "n01440764/x.JPEG", 1, 500, 375);
        assertThat(sampler.randomView(7, "n01440764/x.JPEG", 1, 500, 375)).isEqualTo(a);
        assertThat(new ViewSampler(224, 0.9, 0.08, 1.0, 0.75, 4.0 / 3, true)
                        .randomView(7, "n01440764/x.JPEG", 1, 500, 375))
                .as("another sampler")
                .isEqualTo(a);
        assertThat(sampler.randomView(7, "n01440764/x.JPEG", 2, 500, 375)).isNotEqualTo(a);
        assertThat(sampler.randomView(8, "n01440764/x.JPEG", 1, 500, 375)).isNotEqualTo(a);
        assertThat(sampler.randomView(7, "n01440764/y.JPEG", 1, 500, 375)).isNotEqualTo(a);
    }

    @Test
    void viewsDoNotDependOnTheOrderSamplesAreProcessedIn() {
        List<ViewSpec> forward = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            forward.add(sampler.randomView(3, "key" + i, 1 + i % 3, 640, 480));
        }
        for (int i = 49; i >= 0; i--) {
            assertThat(sampler.randomView(3, "key" + i, 1 + i % 3, 640, 480)).isEqualTo(forward.get(i));
        }
    }

    @Test
    void theSeedIsSha256OfSeedKeyAndIndex() {
        // python3: struct.unpack(">q", hashlib.sha256(f"{seed}\0{key}\0{view}".encode()).digest()[:8])[0]
        assertThat(ViewSampler.seed(7, "k", 1)).isEqualTo(-8670855183680212691L);
        assertThat(ViewSampler.seed(0, "n01440764/n01440764_10026.JPEG", 1)).isEqualTo(9175644189682349903L);
        assertThat(ViewSampler.seed(-3, "ключ", 5)).isEqualTo(-656091263826994603L);
    }

    @Test
    void storedViewsStayReproducibleAcrossReleases() {
        // pinned outputs: a change here means views written by earlier runs can no longer be re-derived
        assertThat(sampler.randomView(7, "n01440764/x.JPEG", 1, 500, 375))
                .isEqualTo(new ViewSpec(1, 164, 20, 224, 216, true));
        assertThat(sampler.randomView(7, "n01440764/x.JPEG", 2, 500, 375))
                .isEqualTo(new ViewSpec(2, 52, 7, 433, 366, false));
        assertThat(sampler.randomView(0, "000123", 3, 640, 480)).isEqualTo(new ViewSpec(3, 55, 88, 479, 369, false));
    }

    @Test
    void randomViewsStayInsideWithTheRequestedAreaAndRatioAndHalfAreFlipped() {
        int n = 4000;
        int flipped = 0;
        double areaSum = 0;
        for (int i = 0; i < n; i++) {
            ViewSpec v = sampler.randomView(1, "key" + i, 1, 500, 375);
            assertThat(v.x()).isEqualTo(Math.rint(v.x()));
            assertThat(v.width()).isEqualTo(Math.rint(v.width()));
            assertThat(v.x() + v.width()).isLessThanOrEqualTo(500);
            assertThat(v.y() + v.height()).isLessThanOrEqualTo(375);
            double fraction = v.width() * v.height() / (500.0 * 375);
            // width and height are rounded separately, so the area may miss the range by a rounding step
            assertThat(fraction).isBetween(0.08 * 0.98, 1.0);
            assertThat(v.width() / v.height()).isBetween(0.75 * 0.98, 4.0 / 3 * 1.02);
            areaSum += fraction;
            flipped += v.flip() ? 1 : 0;
        }
        assertThat(flipped / (double) n).isCloseTo(0.5, Offset.offset(0.03));
        // large areas fail more attempts on a 4:3 image, so the accepted mean is below uniform's 0.54: a Python
        // simulation of get_params (200000 draws) gives 0.433 for 500x375
        assertThat(areaSum / n).isCloseTo(0.433, Offset.offset(0.02));
    }

    @Test
    void whenNoAttemptFitsTheCentralCropWithAClampedRatioIsTaken() {
        assertThat(sampler.randomView(1, "k", 1, 1000, 10)).isEqualTo(new ViewSpec(1, 493, 0, 13, 10, false));
        assertThat(sampler.randomView(1, "k", 1, 10, 1000)).isEqualTo(new ViewSpec(1, 0, 493, 10, 13, false));
    }

    @Test
    void withoutHflipNoViewIsFlipped() {
        ViewSampler noFlip = new ViewSampler(224, 0.9, 0.08, 1.0, 0.75, 4.0 / 3, false);
        for (int i = 0; i < 200; i++) {
            assertThat(noFlip.randomView(1, "key" + i, 1, 500, 375).flip()).isFalse();
        }
    }

    @Test
    void badArgumentsNameTheOffendingValue() {
        assertThatThrownBy(() -> sampler.randomView(1, "k", 0, 10, 10)).hasMessageContaining("numbered from 1, got 0");
        assertThatThrownBy(() -> sampler.randomView(1, "k", 1, 0, 10)).hasMessageContaining("0x10");
        assertThatThrownBy(() -> sampler.evalView(10, -2)).hasMessageContaining("10x-2");
        assertThatThrownBy(() -> new ViewSampler(0, 0.9, 0.08, 1, 0.75, 1.3, true))
                .hasMessageContaining("got 0");
        assertThatThrownBy(() -> new ViewSampler(224, 1.5, 0.08, 1, 0.75, 1.3, true))
                .hasMessageContaining("1.5");
        assertThatThrownBy(() -> new ViewSampler(224, 0.9, 0.5, 0.2, 0.75, 1.3, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[0.5, 0.2]");
        assertThatThrownBy(() -> new ViewSampler(224, 0.9, 0.08, 1, 2, 1, true)).hasMessageContaining("[2.0, 1.0]");
        assertThatThrownBy(() -> sampler.randomView(1, null, 1, 10, 10)).isInstanceOf(NullPointerException.class);
    }
}
