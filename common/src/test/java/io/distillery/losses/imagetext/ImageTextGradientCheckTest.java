package io.distillery.losses.imagetext;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Each loss's hand-derived gradients (student image, student text, student log scale, every owned parameter)
 * against central differences of its own value, in double, on inputs independent of the PyTorch goldens (other
 * shapes, seeds and scales; owned parameters from {@link ImageTextLoss#initialParameters}).
 */
class ImageTextGradientCheckTest {

    private static final double H = 1e-5;
    private static final String IMAGE = "student image";
    private static final String TEXT = "student text";
    private static final String LOG_SCALE = "student log scale";
    /** Losses that never use the student's logit scale (fd and icl compare with the teacher, afd has its own). */
    private static final Set<String> WITHOUT_STUDENT_SCALE = Set.of("fd", "mfd", "icl", "afd");

    /** A loss at one point; {@code variables} holds every differentiable input by name (scalars as rank 0). */
    record Check(String name, ImageTextLoss loss, Map<String, INDArray> variables, INDArray[] teacher, double scale) {
        ImageTextInputs inputs() {
            Map<String, INDArray> parameters = new LinkedHashMap<>(variables);
            parameters.keySet().removeAll(List.of(IMAGE, TEXT, LOG_SCALE));
            return new ImageTextInputs(
                    variables.get(IMAGE),
                    variables.get(TEXT),
                    teacher[0],
                    teacher[1],
                    scale,
                    variables.get(LOG_SCALE).getDouble(0),
                    parameters);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static List<Check> checks() {
        Random rnd = new Random(31);
        double init = LearnableParameter.INITIAL_LOG_SCALE;
        List<Check> checks = new ArrayList<>();
        checks.add(check("clip", new ClipContrastiveLoss(), rnd, 5, 4, 4, init, 100));
        checks.add(check("clip scale ln 3", new ClipContrastiveLoss(), rnd, 7, 3, 3, Math.log(3), 100));
        checks.add(check("fd", new FeatureDistillationLoss("fd"), rnd, 5, 4, 4, init, 100));
        checks.add(check("mfd", new FeatureDistillationLoss("mfd"), rnd, 3, 6, 6, init, 100));
        checks.add(check("icl", new InteractiveContrastiveLoss(), rnd, 5, 4, 4, init, 100));
        checks.add(check("crd T=1 widths 3, 6", new ContrastiveRelationalLoss(1), rnd, 5, 3, 6, Math.log(5), 10));
        checks.add(check("crd T=2.5", new ContrastiveRelationalLoss(2.5), rnd, 4, 4, 4, init, 30));
        checks.add(check("gd at CLIP's scales", new GradientDistillationLoss(), rnd, 5, 4, 4, init, 100));
        checks.add(check("gd small scales", new GradientDistillationLoss(), rnd, 4, 5, 5, Math.log(0.8), 1.5));
        checks.add(check("afd widths 3, 5", new AugmentedFeatureDistillationLoss(), rnd, 5, 3, 5, init, 100));
        checks.add(check("afd same width", new AugmentedFeatureDistillationLoss(), rnd, 4, 4, 4, init, 100));
        return checks;
    }

    private static Check check(
            String name,
            ImageTextLoss loss,
            Random rnd,
            int n,
            int studentWidth,
            int teacherWidth,
            double logScale,
            double teacherScale) {
        Map<String, INDArray> variables = new LinkedHashMap<>();
        variables.put(IMAGE, gaussian(rnd, 1.5, n, studentWidth));
        variables.put(TEXT, gaussian(rnd, 0.7, n, studentWidth));
        variables.put(LOG_SCALE, Nd4j.scalar(logScale));
        variables.putAll(loss.initialParameters(studentWidth, teacherWidth, rnd.nextLong(), DataType.DOUBLE));
        INDArray[] teacher = {unitRows(gaussian(rnd, 1, n, teacherWidth)), unitRows(gaussian(rnd, 1, n, teacherWidth))};
        return new Check(name, loss, variables, teacher, teacherScale);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("checks")
    void everyGradientMatchesCentralDifferences(Check check) {
        ImageTextLossValue value = check.loss().compute(check.inputs());
        Map<String, INDArray> analytic = new LinkedHashMap<>(value.parameterGradients());
        analytic.put(IMAGE, value.studentImageGradient());
        analytic.put(TEXT, value.studentTextGradient());
        analytic.put(LOG_SCALE, Nd4j.scalar(value.studentLogScaleGradient()));
        assertThat(analytic.keySet())
                .containsExactlyInAnyOrderElementsOf(check.variables().keySet());

        for (Map.Entry<String, INDArray> variable : check.variables().entrySet()) {
            INDArray exact = analytic.get(variable.getKey());
            INDArray numeric = centralDifferences(check, variable.getValue());
            double size = exact.amaxNumber().doubleValue();
            if (variable.getKey().equals(LOG_SCALE)
                    && WITHOUT_STUDENT_SCALE.contains(check.loss().type())) {
                assertThat(size).as(variable.getKey()).isZero();
            } else {
                // a zero gradient would pass trivially
                assertThat(size).as(variable.getKey()).isGreaterThan(1e-9);
            }
            assertThat(ImageTextLossParityTest.maxAbsDiff(exact, numeric))
                    .as(variable.getKey())
                    .isLessThan(1e-6 * Math.max(size, 1e-9));
        }
    }

    private static INDArray centralDifferences(Check check, INDArray variable) {
        INDArray flat = variable.reshape(variable.length());
        double[] numeric = new double[(int) variable.length()];
        for (int k = 0; k < numeric.length; k++) {
            double x = flat.getDouble(k);
            flat.putScalar(k, x + H);
            double up = check.loss().compute(check.inputs()).value();
            flat.putScalar(k, x - H);
            double down = check.loss().compute(check.inputs()).value();
            flat.putScalar(k, x);
            numeric[k] = (up - down) / (2 * H);
        }
        return variable.rank() == 0 ? Nd4j.scalar(numeric[0]) : Nd4j.create(numeric, variable.shape(), 'c');
    }

    static INDArray gaussian(Random rnd, double scale, long... shape) {
        INDArray a = Nd4j.create(DataType.DOUBLE, shape);
        INDArray flat = a.reshape(a.length());
        for (long i = 0; i < a.length(); i++) {
            flat.putScalar(i, scale * rnd.nextGaussian());
        }
        return a;
    }

    static INDArray unitRows(INDArray a) {
        return a.divColumnVector(a.norm2(true, 1));
    }
}
