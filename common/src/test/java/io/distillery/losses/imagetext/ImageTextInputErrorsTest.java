package io.distillery.losses.imagetext;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Bad input fails with one line naming the loss and the tensor at fault. */
class ImageTextInputErrorsTest {

    private static final double LOG_SCALE = Math.log(1 / 0.07);

    @Test
    void studentMustBeFloatOrDoubleMatricesOfOneShape() {
        assertThatThrownBy(() -> new ClipContrastiveLoss()
                        .compute(ImageTextInputs.ofStudent(
                                Nd4j.zeros(DataType.FLOAT16, 2, 3), Nd4j.ones(DataType.FLOAT, 2, 3), LOG_SCALE)))
                .hasMessage("clip: student image must be FLOAT or DOUBLE, got HALF");
        assertThatThrownBy(() -> new ClipContrastiveLoss()
                        .compute(ImageTextInputs.ofStudent(Nd4j.ones(2, 3), Nd4j.ones(2, 3, 1), LOG_SCALE)))
                .hasMessage("clip: student text must be [N, D], got shape [2, 3, 1]");
        assertThatThrownBy(() -> new ClipContrastiveLoss()
                        .compute(ImageTextInputs.ofStudent(Nd4j.ones(2, 3), Nd4j.ones(3, 3), LOG_SCALE)))
                .hasMessage("clip: student text shape [3, 3] differs from student image shape [2, 3]");
        assertThatThrownBy(() -> new ClipContrastiveLoss()
                        .compute(ImageTextInputs.ofStudent(
                                Nd4j.ones(2, 3), Nd4j.create(new float[][] {{1, Float.NaN, 0}, {0, 1, 0}}), LOG_SCALE)))
                .hasMessage("clip: student text has NaN or Inf values");
        assertThatThrownBy(() -> new ClipContrastiveLoss()
                        .compute(ImageTextInputs.ofStudent(Nd4j.ones(2, 3), Nd4j.ones(2, 3), Double.NaN)))
                .hasMessage("clip: student log logit scale must be finite, got NaN");
    }

    @Test
    void missingTeacherIsNamed() {
        ImageTextInputs studentOnly = ImageTextInputs.ofStudent(Nd4j.ones(2, 3), Nd4j.ones(2, 3), LOG_SCALE);
        assertThatThrownBy(() -> new FeatureDistillationLoss("fd").compute(studentOnly))
                .hasMessage("fd: needs the teacher image embeddings, none given");
        assertThatThrownBy(() ->
                        new ContrastiveRelationalLoss(1).compute(studentOnly.withTeacher(Nd4j.ones(2, 4), null, 100)))
                .hasMessage("crd: needs the teacher text embeddings, none given");
        assertThatThrownBy(() -> new ContrastiveRelationalLoss(1)
                        .compute(studentOnly.withTeacher(Nd4j.ones(2, 4), Nd4j.ones(2, 4), Double.NaN)))
                .hasMessage("crd: needs the teacher logit scale (exp of its logit_scale, > 0), got NaN");
    }

    @Test
    void teacherShapesAndWidthsAreNamed() {
        ImageTextInputs student = ImageTextInputs.ofStudent(Nd4j.ones(4, 8), Nd4j.ones(4, 8), LOG_SCALE);
        assertThatThrownBy(() -> new GradientDistillationLoss()
                        .compute(student.withTeacher(Nd4j.ones(3, 8), Nd4j.ones(3, 8), 100)))
                .hasMessage("gd: teacher has 3 samples, student 4");
        assertThatThrownBy(() -> new GradientDistillationLoss()
                        .compute(student.withTeacher(Nd4j.ones(4, 8), Nd4j.ones(4, 6), 100)))
                .hasMessage("gd: teacher text shape [4, 6] differs from teacher image shape [4, 8]");
        assertThatThrownBy(() -> new FeatureDistillationLoss("mfd")
                        .compute(student.withTeacher(Nd4j.ones(4, 16), Nd4j.ones(4, 16), 100)))
                .hasMessage("mfd: student width 8 differs from teacher width 16;"
                        + " project the student embeddings to the teacher's width first");
        assertThatThrownBy(() -> new FeatureDistillationLoss("fd")
                        .compute(student.withTeacher(Nd4j.ones(DataType.INT32, 4, 8), Nd4j.ones(4, 8), 100)))
                .hasMessage("fd: teacher image must be floating point, got INT");
    }

    @Test
    void missingOrMisshapedParametersAreNamed() {
        ImageTextInputs inputs = ImageTextInputs.ofStudent(Nd4j.ones(4, 8), Nd4j.ones(4, 8), LOG_SCALE)
                .withTeacher(Nd4j.ones(4, 8), Nd4j.ones(4, 8), 100);
        assertThatThrownBy(() -> new InteractiveContrastiveLoss().compute(inputs))
                .hasMessage("icl: needs its learnable parameter cross_logit_scale, none given");
        assertThatThrownBy(() -> new InteractiveContrastiveLoss()
                        .compute(inputs.withParameters(Map.of("cross_logit_scale", Nd4j.ones(1)))))
                .hasMessage("icl: parameter cross_logit_scale must have shape [], got [1]");

        AugmentedFeatureDistillationLoss afd = new AugmentedFeatureDistillationLoss();
        Map<String, INDArray> wrongWidth = new java.util.HashMap<>(afd.initialParameters(8, 4, 0, DataType.DOUBLE));
        assertThatThrownBy(() -> afd.compute(inputs.withParameters(wrongWidth)))
                .hasMessage("afd: parameter visual_fusion_proj.weight must have shape [8, 16], got [8, 12]");
        Map<String, INDArray> withNaN = new java.util.HashMap<>(afd.initialParameters(8, 8, 0, DataType.DOUBLE));
        withNaN.put("fusion_logit_scale", Nd4j.scalar(Double.NaN));
        assertThatThrownBy(() -> afd.compute(inputs.withParameters(withNaN)))
                .hasMessage("afd: parameter fusion_logit_scale has NaN or Inf values");
    }

    @Test
    void featureDistillationNamesAreChecked() {
        assertThatThrownBy(() -> new FeatureDistillationLoss("kd"))
                .hasMessage("feature distillation is 'fd' or 'mfd', got 'kd'");
    }
}
