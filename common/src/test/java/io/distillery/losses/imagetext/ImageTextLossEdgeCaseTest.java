package io.distillery.losses.imagetext;

import static io.distillery.losses.imagetext.ImageTextGradientCheckTest.gaussian;
import static io.distillery.losses.imagetext.ImageTextGradientCheckTest.unitRows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.distillery.numerics.FiniteValues;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Closed-form values and invariances the losses must have, independent of the PyTorch goldens. */
class ImageTextLossEdgeCaseTest {

    private final Random rnd = new Random(11);

    @Test
    void clipOnOrthonormalMatchedPairsIsLogOfOnePlusTheNegatives() {
        // logits = s I: each row's CE is -s + log(e^s + (N - 1)) = log(1 + (N - 1) e^-s)
        int n = 4;
        double logScale = Math.log(3);
        INDArray eye = Nd4j.eye(n).castTo(DataType.DOUBLE);

        ImageTextLossValue got =
                new ClipContrastiveLoss().compute(ImageTextInputs.ofStudent(eye.mul(5), eye.mul(0.5), logScale));

        double negatives = (n - 1) * Math.exp(-3);
        assertThat(got.value()).isCloseTo(Math.log1p(negatives), within(1e-14));
        // d/dl = s d/ds = -s (N - 1) e^-s / (1 + (N - 1) e^-s)
        assertThat(got.studentLogScaleGradient()).isCloseTo(-3 * negatives / (1 + negatives), within(1e-14));
    }

    @Test
    void clipIgnoresTheStudentsNorms() {
        INDArray image = gaussian(rnd, 1, 5, 4);
        INDArray text = gaussian(rnd, 1, 5, 4);
        INDArray rowScales = Nd4j.create(new double[][] {{0.1}, {2}, {7}, {1}, {0.5}});

        double base = new ClipContrastiveLoss()
                .compute(ImageTextInputs.ofStudent(image, text, 2.0))
                .value();
        double scaled = new ClipContrastiveLoss()
                .compute(ImageTextInputs.ofStudent(image.mulColumnVector(rowScales), text, 2.0))
                .value();

        assertThat(scaled).isCloseTo(base, within(1e-13));
    }

    @Test
    void crdAndGdAreZeroWhenTheStudentIsTheTeacher() {
        INDArray image = unitRows(gaussian(rnd, 1, 5, 6));
        INDArray text = unitRows(gaussian(rnd, 1, 5, 6));
        double teacherScale = 40;
        // the student's raw embeddings may have any norm; its scale equals the teacher's
        ImageTextInputs same = ImageTextInputs.ofStudent(image.mul(3), text.mul(0.2), Math.log(teacherScale))
                .withTeacher(image, text, teacherScale);

        for (ImageTextLoss loss :
                new ImageTextLoss[] {new ContrastiveRelationalLoss(1), new GradientDistillationLoss()}) {
            ImageTextLossValue got = loss.compute(same);
            assertThat(got.value()).as(loss.type()).isCloseTo(0, within(1e-13));
            assertThat(got.studentImageGradient().amaxNumber().doubleValue())
                    .as(loss.type())
                    .isLessThan(1e-12);
            assertThat(got.studentLogScaleGradient()).as(loss.type()).isCloseTo(0, within(1e-12));
        }
    }

    @Test
    void iclUsesItsScaleWithoutExp() {
        // two orthonormal pairs matched to the teacher: the logits are k I and the loss log(1 + e^-k), with k the
        // raw parameter, not exp(k)
        INDArray eye = Nd4j.eye(2).castTo(DataType.DOUBLE);
        double k = 1.7;
        ImageTextInputs inputs = ImageTextInputs.ofStudent(eye.mul(4), eye, 0)
                .withTeacher(eye, eye, 100)
                .withParameters(Map.of(InteractiveContrastiveLoss.CROSS_LOGIT_SCALE, Nd4j.scalar(k)));

        ImageTextLossValue got = new InteractiveContrastiveLoss().compute(inputs);

        assertThat(got.value()).isCloseTo(Math.log1p(Math.exp(-k)), within(1e-15));
        assertThat(got.parameterGradients()
                        .get(InteractiveContrastiveLoss.CROSS_LOGIT_SCALE)
                        .getDouble(0))
                .isCloseTo(-Math.exp(-k) / (1 + Math.exp(-k)), within(1e-15));
    }

    @Test
    void aZeroStudentRowGivesFiniteGradients() {
        // |x| = 0: F.normalize's clamp makes u = 0 and dx = du / eps, large but finite (autograd's value too)
        INDArray image = gaussian(rnd, 1, 4, 5);
        image.getRow(2).assign(0);
        ImageTextInputs inputs = ImageTextInputs.ofStudent(image, gaussian(rnd, 1, 4, 5), 2.0)
                .withTeacher(unitRows(gaussian(rnd, 1, 4, 5)), unitRows(gaussian(rnd, 1, 4, 5)), 100);

        for (ImageTextLoss loss : new ImageTextLoss[] {
            new ClipContrastiveLoss(), new FeatureDistillationLoss("fd"), new GradientDistillationLoss()
        }) {
            ImageTextLossValue got = loss.compute(inputs);
            assertThat(Double.isFinite(got.value())).as(loss.type()).isTrue();
            assertThat(FiniteValues.allFinite(got.studentImageGradient()))
                    .as(loss.type())
                    .isTrue();
        }
    }
}
