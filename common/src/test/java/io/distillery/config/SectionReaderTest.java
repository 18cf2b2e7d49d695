package io.distillery.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Every value a job section reads, and every refusal naming the full key. */
class SectionReaderTest {
    private static SectionReader reader(String hocon) {
        return new SectionReader(ConfigFactory.parseString(hocon), "distillery.x");
    }

    @Test
    void readsValuesOfEachKind() {
        SectionReader r = reader("path = /a, unit = SECONDS, scale = [0.08, 1.0], k = 3, all = all");
        assertThat(r.required("path")).isEqualTo("/a");
        assertThat(r.optional("path")).isEqualTo("/a");
        assertThat(r.optional("nothing")).isNull();
        assertThat(r.enumOf(TimeUnit.class, "unit")).isEqualTo(TimeUnit.SECONDS);
        assertThat(r.range("scale")).containsExactly(0.08, 1.0);
        assertThat(r.countOrAll("k")).isEqualTo(3);
        assertThat(r.countOrAll("all")).isZero();
    }

    @Test
    void refusalsNameTheFullKey() {
        SectionReader r = reader("unit = fortnights, scale = [1.0, 0.5], k = 0, path = null");
        assertThatThrownBy(() -> r.required("path")).hasMessage("distillery.x.path is required");
        assertThatThrownBy(() -> r.enumOf(TimeUnit.class, "unit"))
                .hasMessageStartingWith("distillery.x.unit 'fortnights' is not one of [nanoseconds,");
        assertThatThrownBy(() -> r.range("scale")).hasMessageStartingWith("distillery.x.scale must be [min, max]");
        assertThatThrownBy(() -> r.countOrAll("k")).hasMessage("distillery.x.k must be 'all' or >= 1, got '0'");
    }
}
