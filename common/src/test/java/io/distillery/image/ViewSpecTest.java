package io.distillery.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ViewSpecTest {

    @Test
    void fractionalBoxesAreAllowed() {
        ViewSpec v = new ViewSpec(0, 81.25, 18.75, 337.5, 337.5, false);
        assertThat(v.width()).isEqualTo(337.5);
    }

    @Test
    void invalidBoxesAreRejectedWithTheirValues() {
        assertThatThrownBy(() -> new ViewSpec(-1, 0, 0, 1, 1, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got -1");
        assertThatThrownBy(() -> new ViewSpec(0, -0.5, 0, 1, 1, false)).hasMessageContaining("x=-0.5");
        assertThatThrownBy(() -> new ViewSpec(0, Double.NaN, 0, 1, 1, false)).hasMessageContaining("x=NaN");
        assertThatThrownBy(() -> new ViewSpec(0, 0, 0, 0, 1, false)).hasMessageContaining("0.0x1.0");
        assertThatThrownBy(() -> new ViewSpec(0, 0, 0, 1, Double.POSITIVE_INFINITY, false))
                .hasMessageContaining("1.0xInfinity");
    }
}
