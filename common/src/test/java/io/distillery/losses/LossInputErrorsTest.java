package io.distillery.losses;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Bad input fails with one line naming the loss and the tensor at fault. */
class LossInputErrorsTest {

    @Test
    void studentMustBeFloatOrDouble() {
        assertThatThrownBy(() -> new KdLoss(4)
                        .compute(LossInputs.of(Nd4j.zeros(DataType.FLOAT16, 2, 3), Nd4j.zeros(DataType.FLOAT, 2, 3))))
                .hasMessage("kd: student must be FLOAT or DOUBLE, got HALF");
    }

    @Test
    void shapesAndRanksAreNamed() {
        assertThatThrownBy(() -> new KdLoss(4).compute(LossInputs.of(Nd4j.zeros(2, 3), Nd4j.zeros(2, 4))))
                .hasMessage("kd: teacher shape [2, 4] differs from student shape [2, 3]");
        assertThatThrownBy(() -> new AttentionMapLoss().compute(LossInputs.of(Nd4j.zeros(2, 3), Nd4j.zeros(2, 3))))
                .hasMessage("attention: student must be [N, heads, tokens, tokens], got shape [2, 3]");
        assertThatThrownBy(
                        () -> new HiddenStateLoss().compute(LossInputs.of(Nd4j.zeros(2, 5, 8), Nd4j.zeros(2, 5, 16))))
                .hasMessage("hidden: student width 8 differs from teacher width 16; project the student tokens first");
        assertThatThrownBy(() -> new PktLoss(1e-7).compute(LossInputs.of(Nd4j.zeros(4, 8), Nd4j.zeros(3, 16))))
                .hasMessage("pkt: teacher has 3 samples, student 4");
        assertThatThrownBy(() ->
                        new CosineLoss(1e-8).compute(LossInputs.of(Nd4j.zeros(4, 8), Nd4j.zeros(DataType.INT32, 4, 8))))
                .hasMessage("cosine: teacher must be floating point, got INT");
    }

    @Test
    void nonFiniteValuesAreNamed() {
        assertThatThrownBy(() -> new KdLoss(4).compute(LossInputs.of(Nd4j.zeros(2, 3), Nd4j.create(new float[][] {
                    {0, Float.NaN, 0}, {0, 0, 0}
                }))))
                .hasMessage("kd: teacher has NaN or Inf values");
        assertThatThrownBy(() -> new HiddenStateLoss()
                        .compute(LossInputs.of(
                                Nd4j.valueArrayOf(new long[] {1, 2, 2}, Double.POSITIVE_INFINITY, DataType.DOUBLE),
                                Nd4j.zeros(DataType.DOUBLE, 1, 2, 2))))
                .hasMessage("hidden: student has NaN or Inf values");
    }

    @Test
    void missingInputsAreNamed() {
        assertThatThrownBy(() -> new KdLoss(4).compute(LossInputs.ofLabels(Nd4j.zeros(2, 3), new int[] {0, 1})))
                .hasMessage("kd: needs the teacher tensor, none given");
        assertThatThrownBy(() -> new CrossEntropyLoss(0).compute(LossInputs.of(Nd4j.zeros(2, 3), null)))
                .hasMessage("ce: needs class labels, none given");
    }

    @Test
    void labelSmoothingOutsideZeroToOneIsRefused() {
        assertThatThrownBy(() -> new CrossEntropyLoss(1.0))
                .hasMessage("ce: label-smoothing must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> new CrossEntropyLoss(-0.1))
                .hasMessage("ce: label-smoothing must be in [0, 1), got -0.1");
        assertThatThrownBy(() -> new CrossEntropyLoss(Double.NaN))
                .hasMessage("ce: label-smoothing must be in [0, 1), got NaN");
    }

    @Test
    void labelsMustFitTheBatchAndTheClasses() {
        assertThatThrownBy(() ->
                        new CrossEntropyLoss(0).compute(LossInputs.ofLabels(Nd4j.zeros(2, 3), new int[] {0, 3})))
                .hasMessage("ce: labels[1] = 3 is outside [0, 3)");
        assertThatThrownBy(() -> new DkdLoss(1, 8, 4, 0)
                        .compute(LossInputs.of(Nd4j.zeros(2, 3), Nd4j.zeros(2, 3))
                                .withLabels(new int[] {0})))
                .hasMessage("dkd: labels has 1 entries, student 2 rows");
        assertThatThrownBy(() -> new DkdLoss(1, 8, 4, 0).compute(Nd4j.zeros(2, 3), Nd4j.zeros(2, 3), null, 1.0))
                .hasMessage("dkd: needs class labels, none given");
        assertThatThrownBy(() -> new DkdLoss(1, 8, 4, 0)
                        .compute(Nd4j.zeros(2, 3), Nd4j.zeros(2, 3), new int[] {0, 1}, Double.NaN))
                .hasMessage("dkd: warm-up factor must be finite and >= 0, got NaN");
    }

    @Test
    void parametersAreCheckedWhenBuilt() {
        assertThatThrownBy(() -> new KdLoss(0)).hasMessage("kd: temperature must be > 0, got 0.0");
        assertThatThrownBy(() -> new DkdLoss(1, 8, 4, -1)).hasMessage("dkd: warmup must be >= 0 epochs, got -1.0");
        assertThatThrownBy(() -> new PktLoss(0)).hasMessage("pkt: eps must be > 0, got 0.0");
    }
}
