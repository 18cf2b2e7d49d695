package io.distillery.losses;

import static io.distillery.losses.FiniteDifferenceGradientTest.gaussian;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Closed-form values and invariances each loss must have, independent of the PyTorch fixtures. */
class LossEdgeCaseTest {

    private final Random rnd = new Random(7);

    @Test
    void crossEntropyOfEqualLogitsIsLogC() {
        INDArray equal = Nd4j.valueArrayOf(new long[] {2, 5}, 3.0, DataType.DOUBLE);

        LossValue got = new CrossEntropyLoss(0).compute(LossInputs.ofLabels(equal, new int[] {1, 4}));

        assertThat(got.value()).isCloseTo(Math.log(5), within(1e-15));
        assertThat(got.gradient().getDouble(0, 1)).isCloseTo((0.2 - 1) / 2, within(1e-15));
        assertThat(got.gradient().getDouble(0, 0)).isCloseTo(0.2 / 2, within(1e-15));
    }

    @Test
    void kdIsZeroWhenStudentEqualsTeacher() {
        INDArray logits = gaussian(rnd, 3.0, 3, 6);

        LossValue got = new KdLoss(4.0).compute(LossInputs.of(logits, logits.dup()));

        assertThat(got.value()).isCloseTo(0, within(1e-14));
        assertThat(got.gradient().amaxNumber().doubleValue()).isLessThan(1e-15);
    }

    @Test
    void kdOfAUniformStudentAtT1IsLogCMinusTeacherEntropy() {
        INDArray teacher = Nd4j.create(new double[][] {{2, 0, -1, 0.5}});
        double[] p = RowSoftmax.exp(RowSoftmax.logSoftmax(teacher.toDoubleVector()));
        double entropy = 0;
        for (double v : p) {
            entropy -= v * Math.log(v);
        }

        LossValue got = new KdLoss(1.0).compute(LossInputs.of(Nd4j.zeros(DataType.DOUBLE, 1, 4), teacher));

        assertThat(got.value()).isCloseTo(Math.log(4) - entropy, within(1e-14));
    }

    @Test
    void dkdWithTwoClassesIsAlphaTimesKd() {
        // with one non-target class NCKD compares two one-hot distributions (0) and TCKD is KD itself
        INDArray s = gaussian(rnd, 2.0, 4, 2);
        INDArray t = gaussian(rnd, 2.0, 4, 2);
        LossInputs inputs = LossInputs.of(s, t).withLabels(new int[] {0, 1, 1, 0});

        LossValue dkd = new DkdLoss(0.7, 8.0, 3.0, 0).compute(inputs);
        LossValue kd = new KdLoss(3.0).compute(inputs);

        assertThat(dkd.value()).isCloseTo(0.7 * kd.value(), within(1e-12));
        assertThat(LossParityTest.maxAbsDiff(dkd.gradient(), kd.gradient().mul(0.7)))
                .isLessThan(1e-12);
    }

    @Test
    void dkdWarmupIsLinearInTheEpochThenFlat() {
        INDArray s = gaussian(rnd, 2.0, 3, 5);
        INDArray t = gaussian(rnd, 2.0, 3, 5);
        LossInputs inputs = LossInputs.of(s, t).withLabels(new int[] {0, 3, 4});
        DkdLoss dkd = new DkdLoss(1.0, 8.0, 4.0, 20);

        double full = dkd.compute(inputs.atEpoch(20)).value();

        assertThat(dkd.compute(inputs.atEpoch(5)).value()).isCloseTo(0.25 * full, within(1e-12));
        assertThat(dkd.compute(inputs.atEpoch(200)).value()).isEqualTo(full);
        assertThat(dkd.compute(s, t, new int[] {0, 3, 4}, 1.0).value()).isEqualTo(full);
        assertThatThrownBy(() -> dkd.compute(inputs))
                .hasMessage("dkd: needs the epoch (>= 0) for its warm-up, got NaN");
    }

    @Test
    void lskdIgnoresTheStudentsScaleAndShift() {
        INDArray s = gaussian(rnd, 2.0, 3, 6);
        INDArray t = gaussian(rnd, 2.0, 3, 6);
        LskdLoss lskd = new LskdLoss(2.0, 1e-7);

        LossValue base = lskd.compute(LossInputs.of(s, t));
        LossValue affine = lskd.compute(LossInputs.of(s.mul(5).addi(-3), t));

        // equal up to the eps added to the std
        assertThat(affine.value()).isCloseTo(base.value(), within(1e-6));
        assertThat(LossParityTest.maxAbsDiff(affine.gradient().mul(5), base.gradient()))
                .isLessThan(1e-6);
    }

    @Test
    void lskdOfAConstantStudentRowHasAFiniteGradient() {
        // std = 0: z = 0, so the student is uniform; PyTorch's std backward would give NaN here
        INDArray s = Nd4j.valueArrayOf(new long[] {1, 4}, 1.5, DataType.DOUBLE);
        INDArray t = Nd4j.create(new double[][] {{1, 2, 3, 4}});

        LossValue got = new LskdLoss(1.0, 1e-7).compute(LossInputs.of(s, t));
        LossValue uniform = new KdLoss(1.0)
                .compute(LossInputs.of(
                        Nd4j.zeros(DataType.DOUBLE, 1, 4), t.sub(2.5).divi(Math.sqrt(5.0 / 3) + 1e-7)));

        assertThat(got.value()).isCloseTo(uniform.value(), within(1e-12));
        assertThat(LossParityTest.maxAbsDiff(got.gradient(), uniform.gradient().div(1e-7)))
                .isLessThan(1e-6);
    }

    @Test
    void lskdNeedsTwoClasses() {
        assertThatThrownBy(() -> new LskdLoss(2, 1e-7)
                        .compute(LossInputs.of(Nd4j.ones(DataType.DOUBLE, 3, 1), Nd4j.ones(DataType.DOUBLE, 3, 1))))
                .hasMessage("lskd: student needs at least 2 classes for an unbiased std, got 1");
    }

    @Test
    void pktOfOneSampleIsZeroAndIgnoresScale() {
        PktLoss pkt = new PktLoss(1e-7);
        LossValue single = pkt.compute(LossInputs.of(gaussian(rnd, 1.0, 1, 4), gaussian(rnd, 1.0, 1, 9)));
        assertThat(single.value()).isCloseTo(0, within(1e-15));
        assertThat(single.gradient().amaxNumber().doubleValue()).isLessThan(1e-15);

        INDArray s = gaussian(rnd, 1.0, 5, 4);
        INDArray t = gaussian(rnd, 1.0, 5, 9);
        // equal up to the eps added to each norm (1e-7 relative)
        assertThat(pkt.compute(LossInputs.of(s.mul(7), t)).value())
                .isCloseTo(pkt.compute(LossInputs.of(s, t)).value(), within(1e-6));
    }

    @Test
    void pktOfAZeroStudentRowIsFinite() {
        // |x| = 0: u = 0 (eps keeps the division finite) and the radial term is taken as 0, where PyTorch's sqrt
        // backward would give NaN
        INDArray s = gaussian(rnd, 1.0, 3, 4);
        s.getRow(1).assign(0);

        LossValue got = new PktLoss(1e-7).compute(LossInputs.of(s, gaussian(rnd, 1.0, 3, 6)));

        assertThat(Double.isFinite(got.value())).isTrue();
        assertThat(io.distillery.numerics.FiniteValues.allFinite(got.gradient()))
                .isTrue();
    }

    @Test
    void cosineIsZeroForAScaledCopyAndTwoForTheOpposite() {
        INDArray t = gaussian(rnd, 1.0, 3, 5);
        CosineLoss cosine = new CosineLoss(1e-8);

        LossValue same = cosine.compute(LossInputs.of(t.mul(4), t));
        LossValue opposite = cosine.compute(LossInputs.of(t.mul(-0.5), t));

        assertThat(same.value()).isCloseTo(0, within(1e-15));
        assertThat(same.gradient().amaxNumber().doubleValue()).isLessThan(1e-15);
        assertThat(opposite.value()).isCloseTo(2, within(1e-15));
    }

    @Test
    void mseLossesAreZeroOnIdenticalInputsAndHalfTheSquaredDistanceGradient() {
        INDArray tokens = gaussian(rnd, 1.0, 2, 3, 4);
        assertThat(new HiddenStateLoss()
                        .compute(LossInputs.of(tokens, tokens.dup()))
                        .value())
                .isEqualTo(0.0);

        INDArray att = Nd4j.zeros(DataType.DOUBLE, 1, 1, 2, 2);
        INDArray teacherAtt = Nd4j.create(new double[] {1, 0, 0.5, 0.5}, new long[] {1, 1, 2, 2});
        LossValue got = new AttentionMapLoss().compute(LossInputs.of(att, teacherAtt));
        assertThat(got.value()).isCloseTo(1.5 / 4, within(1e-15));
        assertThat(got.gradient().getDouble(0, 0, 0, 0)).isCloseTo(-2.0 / 4, within(1e-15));
    }
}
