package io.distillery.model.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The two-segment mask around a softmax: each row is the softmax over its own segment's allowed keys. */
class SegmentMaskTest {
    private static final int IMAGE = 2;
    private static final int TEXT = 3;
    private static final int TOKENS = IMAGE + TEXT;
    private static final int HEADS = 2;
    private static final int[] TEXT_MASK = {1, 1, 1, 1, 0, 0};

    @Test
    void eachQueryIsASoftmaxOverItsOwnSegmentsRealKeys() {
        for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            Nd4j.getRandom().setSeed(9);
            INDArray scores = Nd4j.randn(type, 2L * HEADS * TOKENS, TOKENS);
            INDArray raw = scores.dup();
            SegmentMask mask = SegmentMask.of(TEXT_MASK, 2, IMAGE, TEXT, type);
            mask.addTo(scores);
            Elementwise.of(type).softmaxRows(scores);
            mask.zeroMasked(scores);
            double tolerance = type == DataType.DOUBLE ? 1e-14 : 1e-6;
            for (int b = 0; b < 2; b++) {
                for (int h = 0; h < HEADS; h++) {
                    for (int q = 0; q < TOKENS; q++) {
                        long row = ((long) b * HEADS + h) * TOKENS + q;
                        double[] expected = new double[TOKENS];
                        double sum = 0;
                        for (int k = 0; k < TOKENS; k++) {
                            boolean allowed =
                                    q < IMAGE ? k < IMAGE : k >= IMAGE && TEXT_MASK[b * TEXT + k - IMAGE] == 1;
                            expected[k] = allowed ? Math.exp(raw.getDouble(row, k)) : 0;
                            sum += expected[k];
                        }
                        for (int k = 0; k < TOKENS; k++) {
                            double got = scores.getDouble(row, k);
                            if (expected[k] == 0) {
                                assertThat(got)
                                        .as("[%d, %d, %d, %d]", b, h, q, k)
                                        .isZero();
                            } else {
                                assertThat(got)
                                        .isCloseTo(expected[k] / sum, org.assertj.core.data.Offset.offset(tolerance));
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void refusesACaptionWithoutRealTokensAndNonBinaryMasks() {
        assertThatThrownBy(() -> SegmentMask.of(new int[] {1, 1, 0, 0, 0, 0}, 2, IMAGE, TEXT, DataType.DOUBLE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("row 1 has no real token");
        assertThatThrownBy(() -> SegmentMask.of(new int[] {1, 2, 0}, 1, IMAGE, TEXT, DataType.DOUBLE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0 or 1");
        assertThatThrownBy(() -> SegmentMask.of(new int[] {1, 1}, 1, IMAGE, TEXT, DataType.DOUBLE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected 1 x 3");
    }
}
