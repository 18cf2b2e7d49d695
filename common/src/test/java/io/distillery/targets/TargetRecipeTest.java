package io.distillery.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TargetRecipeTest {

    @Test
    void defaultsAreTheData2vec2ImageRecipe() {
        TargetRecipe r = TargetRecipe.defaults(10);
        assertThat(r.tensor()).isEqualTo(TargetTensor.FFN);
        assertThat(r.tokens()).isEqualTo(TargetTokens.PATCHES);
        assertThat(r.topK()).isEqualTo(10);
        assertThat(r.eps()).isEqualTo(1e-5);
    }

    @Test
    void topKBelowOneIsRejectedWithTheValue() {
        assertThatThrownBy(() -> TargetRecipe.defaults(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topK")
                .hasMessageContaining("0");
        assertThatThrownBy(() -> TargetRecipe.defaults(-3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-3");
    }

    @Test
    void nonPositiveOrNonFiniteEpsIsRejectedWithTheValue() {
        for (double eps : new double[] {0, -1e-5, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> new TargetRecipe(TargetTensor.FFN, TargetTokens.ALL, 1, eps))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("eps")
                    .hasMessageContaining(String.valueOf(eps));
        }
    }

    @Test
    void missingEnumsAreRejected() {
        assertThatThrownBy(() -> new TargetRecipe(null, TargetTokens.ALL, 1, 1e-5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tensor");
        assertThatThrownBy(() -> new TargetRecipe(TargetTensor.BLOCK, null, 1, 1e-5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tokens");
    }
}
