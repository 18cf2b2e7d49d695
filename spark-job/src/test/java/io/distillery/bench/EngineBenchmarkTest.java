package io.distillery.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class EngineBenchmarkTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode[] round(double dl4j, double torch) {
        return new JsonNode[] {
            JSON.createObjectNode().put("images_per_second", dl4j),
            torch < 0 ? null : JSON.createObjectNode().put("images_per_second", torch)
        };
    }

    @Test
    void showsTheRoundWithTheMedianRatioNotTheMedianOfEachSide() {
        JsonNode[] a = round(100, 125); // 0.80
        JsonNode[] b = round(90, 100); // 0.90
        JsonNode[] c = round(120, 110); // 1.09
        assertThat(EngineBenchmark.medianRound(List.of(c, a, b))).isSameAs(b);
        assertThat(EngineBenchmark.medianRound(List.of(c, a)))
                .as("even count: the lower median")
                .isSameAs(a);
        assertThat(EngineBenchmark.medianRound(List.<JsonNode[]>of(c))).isSameAs(c);
    }

    @Test
    void withoutPyTorchTheFirstRoundIsShown() {
        JsonNode[] first = round(100, -1);
        assertThat(EngineBenchmark.medianRound(List.of(first, round(90, -1)))).isSameAs(first);
    }
}
