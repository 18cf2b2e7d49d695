package io.distillery.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AccuracyTest {

    private static final int[] TRUTH = {0, 0, 1, 1, 1, 2};
    private static final int[] PREDICTED = {0, 1, 1, 1, 0, 1};

    @Test
    void accuracyCountsAgreeingPositions() {
        assertThat(Accuracy.correct(PREDICTED, TRUTH)).isEqualTo(3);
        assertThat(Accuracy.of(PREDICTED, TRUTH)).isEqualTo(0.5);
    }

    @Test
    void confusionMatrixByHand() {
        ConfusionMatrix m = ConfusionMatrix.of(PREDICTED, TRUTH, 4);
        assertThat(m.counts()).isEqualTo(new long[][] {{1, 1, 0, 0}, {1, 2, 0, 0}, {0, 1, 0, 0}, {0, 0, 0, 0}});
        assertThat(m.total()).isEqualTo(6);
        assertThat(m.accuracy()).isEqualTo(0.5);
        assertThat(m.recall(0)).isEqualTo(0.5);
        assertThat(m.recall(1)).isEqualTo(2.0 / 3);
        assertThat(m.recall(2)).isZero();
        assertThat(m.recall(3)).isNaN();
        assertThat(m.precision(1)).isEqualTo(0.5);
        assertThat(m.precision(2)).isNaN();
        // Classes 0..2 occur: (1/2 + 2/3 + 0) / 3.
        assertThat(m.meanPerClassAccuracy()).isEqualTo((0.5 + 2.0 / 3) / 3);
        assertThat(m.count(1, 0)).isEqualTo(1);
    }

    @Test
    void badInputsAreClearErrors() {
        assertThatThrownBy(() -> Accuracy.of(new int[0], new int[0]))
                .hasMessage("no labels given: accuracy of an empty set is undefined");
        assertThatThrownBy(() -> Accuracy.of(new int[2], new int[3])).hasMessage("2 predictions for 3 labels");
        assertThatThrownBy(() -> ConfusionMatrix.of(PREDICTED, TRUTH, 2)).hasMessage("label[5] = 2 is outside [0, 2)");
        assertThatThrownBy(() -> ConfusionMatrix.of(new int[] {-1}, new int[] {0}, 2))
                .hasMessage("prediction[0] = -1 is outside [0, 2)");
    }
}
