package io.distillery.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TopKLogitsTest {
    private static final float[] LOGITS = {2f, 0f, 1f, -1f, 0.5f};

    @Test
    void selectsTheLargestByValueThenLowerIndexAndTheRestsLogSumExp() {
        int[] index = new int[2];
        float[] value = new float[2];
        float rest = TopKLogits.select(LOGITS, 0, 5, 2, index, value, 0);
        assertThat(index).containsExactly(0, 2);
        assertThat(value).containsExactly(2f, 1f);
        assertThat((double) rest).isCloseTo(Math.log(Math.exp(0) + Math.exp(-1) + Math.exp(0.5)), within(1e-6));

        float[] ties = {0f, 3f, 1f, 3f, 1f, 3f};
        int[] tieIndex = new int[4 + 3];
        float[] tieValue = new float[7];
        TopKLogits.select(ties, 0, 6, 4, tieIndex, tieValue, 3);
        assertThat(Arrays.copyOfRange(tieIndex, 3, 7)).containsExactly(1, 3, 5, 2);
        assertThat(Arrays.copyOfRange(tieValue, 3, 7)).containsExactly(3f, 3f, 3f, 1f);
    }

    @Test
    void selectionAgreesWithAFullSort() {
        Random random = new Random(5);
        for (int trial = 0; trial < 50; trial++) {
            int classes = 1 + random.nextInt(40);
            int k = 1 + random.nextInt(classes);
            float[] logits = new float[classes + 3];
            for (int i = 0; i < logits.length; i++) {
                logits[i] = random.nextInt(7) - 3; // many ties
            }
            int[] index = new int[k];
            float[] value = new float[k];
            TopKLogits.select(logits, 3, classes, k, index, value, 0);
            Integer[] order = new Integer[classes];
            for (int c = 0; c < classes; c++) {
                order[c] = c;
            }
            Arrays.sort(
                    order,
                    (a, b) -> a.equals(b)
                            ? 0
                            : logits[3 + a] != logits[3 + b]
                                    ? Float.compare(logits[3 + b], logits[3 + a])
                                    : Integer.compare(a, b));
            for (int i = 0; i < k; i++) {
                assertThat(index[i]).isEqualTo(order[i]);
                assertThat(value[i]).isEqualTo(logits[3 + order[i]]);
            }
        }
    }

    @Test
    void atTemperatureOneItIsFkdsMarginalSmoothingOfTheFullSoftmax() {
        int[] index = new int[2];
        float[] value = new float[2];
        float rest = TopKLogits.select(LOGITS, 0, 5, 2, index, value, 0);
        double[] q = TopKLogits.distribution(index, value, rest, 5, 1.0);

        // by hand: softmax over all five logits, FKD keeps the top two and shares the rest equally among three
        double z = Math.exp(2) + Math.exp(0) + Math.exp(1) + Math.exp(-1) + Math.exp(0.5); // 13.12394
        double p0 = Math.exp(2) / z; // 0.563021
        double p2 = Math.exp(1) / z; // 0.207124
        double minor = (1 - p0 - p2) / 3; // 0.076618
        assertThat(q[0]).isCloseTo(0.563021, within(1e-6)).isCloseTo(p0, within(1e-6));
        assertThat(q[2]).isCloseTo(0.207124, within(1e-6)).isCloseTo(p2, within(1e-6));
        for (int c : new int[] {1, 3, 4}) {
            assertThat(q[c]).isCloseTo(0.076618, within(1e-6)).isCloseTo(minor, within(1e-6));
        }
        assertThat(Arrays.stream(q).sum()).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void atTemperatureTheOtherClassesShareOneLogit() {
        int[] index = new int[2];
        float[] value = new float[2];
        float rest = TopKLogits.select(LOGITS, 0, 5, 2, index, value, 0);
        double t = 2.5;
        double[] q = TopKLogits.distribution(index, value, rest, 5, t);

        double u = rest - Math.log(3);
        double z = Math.exp(2 / t) + Math.exp(1 / t) + 3 * Math.exp(u / t);
        assertThat(q[0]).isCloseTo(Math.exp(2 / t) / z, within(1e-7));
        assertThat(q[2]).isCloseTo(Math.exp(1 / t) / z, within(1e-7));
        assertThat(q[4]).isCloseTo(Math.exp(u / t) / z, within(1e-7));
        assertThat(q[1]).isEqualTo(q[3]).isEqualTo(q[4]);
        assertThat(Arrays.stream(q).sum()).isCloseTo(1.0, within(1e-12));
        // a higher temperature flattens: the top class loses mass against T = 1
        assertThat(q[0]).isLessThan(TopKLogits.distribution(index, value, rest, 5, 1.0)[0]);
    }

    @Test
    void allClassesDegenerateToThePlainSoftmax() {
        int[] index = new int[5];
        float[] value = new float[5];
        float rest = TopKLogits.select(LOGITS, 0, 5, 5, index, value, 0);
        assertThat(rest).isEqualTo(Float.NEGATIVE_INFINITY);
        for (double t : new double[] {0.5, 1, 4}) {
            double[] q = TopKLogits.distribution(index, value, rest, 5, t);
            double z = 0;
            for (float l : LOGITS) {
                z += Math.exp(l / t);
            }
            for (int c = 0; c < 5; c++) {
                assertThat(q[c]).as("T %s class %d", t, c).isCloseTo(Math.exp(LOGITS[c] / t) / z, within(1e-12));
            }
        }
    }

    @Test
    void largeLogitsDoNotOverflow() {
        double[] q = TopKLogits.distribution(new int[] {3}, new float[] {1000f}, 990f, 4, 0.1);
        assertThat(Arrays.stream(q).sum()).isCloseTo(1.0, within(1e-12));
        assertThat(q[3]).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void readsPackedCells() {
        byte[] index = TensorPacking.packInts(new int[] {0, 2}, 0, 2);
        byte[] value = TensorPacking.pack(new float[] {2f, 1f}, 0, 2, TensorDType.FP16);
        float rest = (float) Math.log(Math.exp(0) + Math.exp(-1) + Math.exp(0.5));
        byte[] restCell = TensorPacking.pack(new float[] {rest}, 0, 1, TensorDType.FP16);
        double[] q = TopKLogits.distribution(index, value, restCell, TensorDType.FP16, 5, 1.0);
        assertThat(q[0]).isCloseTo(0.563021, within(1e-3));
        assertThat(Arrays.stream(q).sum()).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void badInputsAreRefusedWithTheValue() {
        assertThatThrownBy(() -> TopKLogits.distribution(new int[] {1, 1}, new float[] {1, 0}, 0f, 4, 1))
                .hasMessage("top-k class index 1 is repeated or outside [0, 4)");
        assertThatThrownBy(() -> TopKLogits.distribution(new int[] {1}, new float[] {1}, 0f, 4, 0))
                .hasMessage("temperature must be a finite number > 0, got 0.0");
        assertThatThrownBy(() -> TopKLogits.distribution(new int[] {1}, new float[] {1}, Float.NaN, 4, 1))
                .hasMessage("rest must be finite when K < C, got NaN");
        assertThatThrownBy(() -> TopKLogits.select(LOGITS, 0, 5, 6, new int[6], new float[6], 0))
                .hasMessage("top-k must be within 1..5, got 6");
    }
}
