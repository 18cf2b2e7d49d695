package io.distillery.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class TargetSimilarityTest {

    private static INDArray tokens(float[]... rows) {
        return Nd4j.create(rows).reshape(1, rows.length, rows[0].length);
    }

    @Test
    void handComputedMseAndCosine() {
        // Token 0: (1,0) vs (0,1): squared error 2, cosine 0. Token 1: (1,1) vs (1,1): 0 and 1.
        TargetSimilarity s = TargetSimilarity.of(
                tokens(new float[] {1, 0}, new float[] {1, 1}), tokens(new float[] {0, 1}, new float[] {1, 1}));
        assertThat(s.mse()).isEqualTo(0.5);
        assertThat(s.meanCosine()).isCloseTo(0.5, within(1e-12));
        assertThat(s.tokens()).isEqualTo(2);
    }

    @Test
    void scaledPredictionsHaveCosineOneAndAZeroTokenScoresZero() {
        // (2,4) vs (1,2): cos 1, squared errors 1 + 4. (0,0) vs (3,4): cos 0, squared errors 9 + 16; (-3,0) vs (3,0):
        // cos -1, squared error 36.
        TargetSimilarity s = TargetSimilarity.of(
                tokens(new float[] {2, 4}, new float[] {0, 0}, new float[] {-3, 0}),
                tokens(new float[] {1, 2}, new float[] {3, 4}, new float[] {3, 0}));
        assertThat(s.mse()).isCloseTo((1 + 4 + 9 + 16 + 36) / 6.0, within(1e-12));
        assertThat(s.meanCosine()).isCloseTo(0.0, within(1e-7));
    }

    @Test
    void batchesAndMergedPartsGiveTheWholeResult() {
        INDArray p = Nd4j.rand(DataType.FLOAT, 6, 5, 8).subi(0.5f);
        INDArray t = Nd4j.rand(DataType.FLOAT, 6, 5, 8).subi(0.5f);
        TargetSimilarity whole = TargetSimilarity.of(p, t);

        TargetSimilarity first = TargetSimilarity.of(rows(p, 0, 2), rows(t, 0, 2));
        TargetSimilarity second =
                new TargetSimilarity().add(rows(p, 2, 4), rows(t, 2, 4)).add(rows(p, 4, 6), rows(t, 4, 6));
        TargetSimilarity merged = first.merge(second);
        assertThat(merged.tokens()).isEqualTo(30);
        assertThat(merged.mse()).isCloseTo(whole.mse(), within(1e-12));
        assertThat(merged.meanCosine()).isCloseTo(whole.meanCosine(), within(1e-12));

        double[] pv = p.castTo(DataType.DOUBLE).data().asDouble();
        double[] tv = t.castTo(DataType.DOUBLE).data().asDouble();
        double se = 0;
        double cos = 0;
        for (int tok = 0; tok < 30; tok++) {
            double dot = 0;
            double np = 0;
            double nt = 0;
            for (int j = 0; j < 8; j++) {
                int i = tok * 8 + j;
                se += (pv[i] - tv[i]) * (pv[i] - tv[i]);
                dot += pv[i] * tv[i];
                np += pv[i] * pv[i];
                nt += tv[i] * tv[i];
            }
            cos += dot / Math.sqrt(np * nt);
        }
        assertThat(whole.mse()).isCloseTo(se / 240, within(1e-12));
        assertThat(whole.meanCosine()).isCloseTo(cos / 30, within(1e-12));
    }

    private static INDArray rows(INDArray x, int from, int to) {
        return x.get(NDArrayIndex.interval(from, to), NDArrayIndex.all(), NDArrayIndex.all());
    }

    @Test
    void nonFiniteInputGivesNonFiniteResultNotAnError() {
        TargetSimilarity s = TargetSimilarity.of(tokens(new float[] {Float.NaN, 0}), tokens(new float[] {1, 0}));
        assertThat(s.mse()).isNaN();
        assertThat(s.meanCosine()).isNaN();
    }

    @Test
    void badInputsAreClearErrors() {
        INDArray ok = Nd4j.zeros(DataType.FLOAT, 1, 2, 3);
        assertThatThrownBy(() -> TargetSimilarity.of(ok, Nd4j.zeros(DataType.FLOAT, 1, 3, 2)))
                .hasMessage("predicted tokens [1, 2, 3] and targets [1, 3, 2] differ in shape");
        assertThatThrownBy(() -> TargetSimilarity.of(Nd4j.zeros(DataType.FLOAT, 2, 3), ok))
                .hasMessage("predicted tokens must be [N, T, D] but has shape [2, 3]");
        INDArray empty = Nd4j.zeros(DataType.FLOAT, 0, 2, 3);
        assertThatThrownBy(() -> TargetSimilarity.of(empty, empty))
                .hasMessage("predicted tokens are empty (shape [0, 2, 3])");
        assertThatThrownBy(() -> new TargetSimilarity().mse())
                .hasMessage("no tokens added: target similarity of an empty set is undefined");
    }
}
