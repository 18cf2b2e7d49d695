package io.distillery.model.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The SIMD kernels against ND4J's ops (the reference implementation) on FLOAT data, tails and views included. */
class VectorElementwiseTest {
    private final Elementwise vector = Elementwise.of(DataType.FLOAT);
    private final Elementwise reference = Nd4jElementwise.INSTANCE;

    @Test
    void theTestJvmRunsTheVectorKernels() {
        // surefire starts the JVM with deploy/jvm.args; without --add-modules jdk.incubator.vector this fails
        assertThat(vector).isInstanceOf(VectorElementwise.class);
    }

    /** Lengths around the chunk and SIMD widths, values over the whole range where GELU is not saturated. */
    @ParameterizedTest
    @ValueSource(ints = {1, 7, 33, 16384, 16385 + 16384 + 5})
    void geluMatchesNd4j(int length) {
        Nd4j.getRandom().setSeed(length);
        INDArray x = Nd4j.randn(DataType.FLOAT, length).muli(3);
        x.putScalar(0, -9f);
        INDArray out = Nd4j.create(DataType.FLOAT, length);
        INDArray cdf = Nd4j.create(DataType.FLOAT, length);
        INDArray refOut = Nd4j.create(DataType.FLOAT, length);
        INDArray refCdf = Nd4j.create(DataType.FLOAT, length);
        vector.geluForward(x, out, cdf);
        reference.geluForward(x, refOut, refCdf);
        assertThat(maxDiff(cdf, refCdf)).isLessThan(3e-7);
        assertThat(maxDiff(out, refOut)).isLessThan(3e-6); // |x| up to ~12: 7.5e-8 |x| plus rounding

        INDArray dy = Nd4j.randn(DataType.FLOAT, length);
        INDArray refDy = dy.dup();
        vector.geluBackwardInPlace(dy, x, cdf);
        reference.geluBackwardInPlace(refDy, x, refCdf);
        assertThat(maxDiff(dy, refDy)).isLessThan(3e-6);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 65, 197, 20000})
    void softmaxRowsMatchesNd4j(int cols) {
        Nd4j.getRandom().setSeed(cols);
        INDArray scores = Nd4j.randn(DataType.FLOAT, 37, cols).muli(4);
        INDArray expected = scores.castTo(DataType.DOUBLE); // exact reference: double precision
        vector.softmaxRows(scores);
        reference.softmaxRows(expected);
        // float accumulation of the row sum: relative error grows like sqrt(cols) * 6e-8
        assertThat(maxDiff(scores.castTo(DataType.DOUBLE), expected)).isLessThan(1e-5);
        assertThat(scores.castTo(DataType.DOUBLE).sum(1).sub(1.0).amaxNumber().doubleValue())
                .isLessThan(1e-5);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 65, 197, 20000})
    void softmaxBackwardMatchesNd4j(int cols) {
        Nd4j.getRandom().setSeed(cols + 1);
        INDArray p = Nd4j.randn(DataType.FLOAT, 23, cols);
        reference.softmaxRows(p);
        INDArray dp = Nd4j.randn(DataType.FLOAT, 23, cols);
        INDArray expected = dp.castTo(DataType.DOUBLE);
        vector.softmaxBackwardRows(dp, p);
        reference.softmaxBackwardRows(expected, p.castTo(DataType.DOUBLE));
        assertThat(maxDiff(dp.castTo(DataType.DOUBLE), expected)).isLessThan(1e-5);
    }

    @Test
    void worksOnADenseViewWithAnOffset() {
        INDArray whole = Nd4j.randn(DataType.FLOAT, 6, 70);
        INDArray rows = whole.get(NDArrayIndex.interval(2, 5), NDArrayIndex.all()); // dense, offset 140
        INDArray expected = rows.dup();
        vector.softmaxRows(rows);
        reference.softmaxRows(expected);
        assertThat(maxDiff(rows, expected)).isLessThan(1e-6);
        assertThat(maxDiff(whole.getRow(0), whole.getRow(0).dup())).isZero();
    }

    private static double maxDiff(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }
}
