package io.distillery.losses;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Each loss's hand-derived gradient against central differences of its own value, in double, on inputs
 * independent of the PyTorch fixtures (other shapes, other parameters, DKD warm-up through the epoch).
 */
class FiniteDifferenceGradientTest {

    private static final double H = 1e-5;

    record Check(String name, LossTerm term, Function<INDArray, LossInputs> inputs, INDArray student) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Check> checks() {
        Random rnd = new Random(15);
        int[] labels = {2, 0, 5, 2};
        INDArray teacherLogits = gaussian(rnd, 3.0, 4, 6);
        INDArray teacherTokens = gaussian(rnd, 1.0, 2, 3, 5);
        INDArray teacherAttention = softmaxLastAxis(gaussian(rnd, 2.0, 2, 2, 3, 3));
        INDArray teacherPooled = gaussian(rnd, 1.0, 5, 7);
        INDArray teacherCls = gaussian(rnd, 1.0, 4, 6);
        return List.of(
                new Check("ce", new CrossEntropyLoss(0), s -> LossInputs.ofLabels(s, labels), gaussian(rnd, 2.0, 4, 6)),
                new Check(
                        "ce label-smoothing 0.2",
                        new CrossEntropyLoss(0.2),
                        s -> LossInputs.ofLabels(s, labels),
                        gaussian(rnd, 2.0, 4, 6)),
                new Check("kd T=3", new KdLoss(3.0), s -> LossInputs.of(s, teacherLogits), gaussian(rnd, 2.0, 4, 6)),
                new Check("kd T=1", new KdLoss(1.0), s -> LossInputs.of(s, teacherLogits), gaussian(rnd, 2.0, 4, 6)),
                new Check(
                        "dkd epoch 5 of 20",
                        new DkdLoss(1.5, 8.0, 4.0, 20),
                        s -> LossInputs.of(s, teacherLogits).withLabels(labels).atEpoch(5),
                        gaussian(rnd, 2.0, 4, 6)),
                new Check(
                        "dkd T=1",
                        new DkdLoss(1.0, 2.0, 1.0, 0),
                        s -> LossInputs.of(s, teacherLogits).withLabels(labels),
                        gaussian(rnd, 2.0, 4, 6)),
                new Check(
                        "lskd",
                        new LskdLoss(2.0, 1e-7),
                        s -> LossInputs.of(s, teacherLogits),
                        gaussian(rnd, 2.0, 4, 6)),
                new Check(
                        "hidden",
                        new HiddenStateLoss(),
                        s -> LossInputs.of(s, teacherTokens),
                        gaussian(rnd, 1.0, 2, 3, 5)),
                new Check(
                        "attention",
                        new AttentionMapLoss(),
                        s -> LossInputs.of(s, teacherAttention),
                        softmaxLastAxis(gaussian(rnd, 1.0, 2, 2, 3, 3))),
                new Check("pkt", new PktLoss(1e-7), s -> LossInputs.of(s, teacherPooled), gaussian(rnd, 1.0, 5, 4)),
                new Check("cosine", new CosineLoss(1e-8), s -> LossInputs.of(s, teacherCls), gaussian(rnd, 1.0, 4, 6)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("checks")
    void gradientMatchesCentralDifferences(Check check) {
        INDArray student = check.student();
        INDArray analytic = check.term().compute(check.inputs().apply(student)).gradient();
        INDArray flat = student.reshape(student.length());
        double worst = 0;
        for (long k = 0; k < student.length(); k++) {
            double x = flat.getDouble(k);
            flat.putScalar(k, x + H);
            double up = check.term().compute(check.inputs().apply(student)).value();
            flat.putScalar(k, x - H);
            double down = check.term().compute(check.inputs().apply(student)).value();
            flat.putScalar(k, x);
            double numeric = (up - down) / (2 * H);
            double exact = analytic.reshape(analytic.length()).getDouble(k);
            worst = Math.max(worst, Math.abs(numeric - exact) / (1e-4 + Math.abs(exact)));
        }
        assertThat(analytic.amaxNumber().doubleValue()).isGreaterThan(1e-6); // a zero gradient would pass trivially
        assertThat(worst).isLessThan(1e-5);
    }

    static INDArray gaussian(Random rnd, double scale, long... shape) {
        INDArray a = Nd4j.create(DataType.DOUBLE, shape);
        INDArray flat = a.reshape(a.length());
        for (long i = 0; i < a.length(); i++) {
            flat.putScalar(i, scale * rnd.nextGaussian());
        }
        return a;
    }

    static INDArray softmaxLastAxis(INDArray a) {
        INDArray e = org.nd4j.linalg.ops.transforms.Transforms.exp(a, true);
        return e.divi(e.sum(true, a.rank() - 1));
    }
}
