package io.distillery.student;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class WarmupCosineScheduleTest {
    @Test
    void warmsUpLinearlyThenDecaysAlongACosine() {
        WarmupCosineSchedule s = new WarmupCosineSchedule(1.0, 0.0, 4, 14);
        assertThat(s.valueAt(0, 0)).isEqualTo(0.25);
        assertThat(s.valueAt(3, 0)).isEqualTo(1.0);
        assertThat(s.valueAt(4, 0)).isEqualTo(1.0);
        assertThat(s.valueAt(9, 0)).isCloseTo(0.5, within(1e-12)); // halfway: cos(pi/2) = 0
        assertThat(s.valueAt(14, 0)).isEqualTo(0.0);
        assertThat(s.valueAt(100, 3)).isEqualTo(0.0);
        assertThat(new WarmupCosineSchedule(2.0, 0.5, 0, 10).valueAt(0, 0)).isEqualTo(2.0);
        assertThat(s.clone().valueAt(9, 0)).isEqualTo(s.valueAt(9, 0));
    }

    @Test
    void rejectsImpossibleSettings() {
        assertThatThrownBy(() -> new WarmupCosineSchedule(1.0, 0.0, 20, 10)).hasMessageContaining("warm-up 20");
        assertThatThrownBy(() -> new WarmupCosineSchedule(0.0, 0.0, 0, 10)).hasMessageContaining("base 0.0");
    }
}
