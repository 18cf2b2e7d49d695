package io.distillery.losses;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code hidden}: FitNets / TinyBERT hidden-state loss, {@code MSE(h_s, h_t)} with mean reduction over tokens
 * [N, T, D] (TinyBERT's {@code loss_mse(student_rep, teacher_rep)}). A narrower student is projected by the caller
 * (TinyBERT's learned W_h) before it gets here, so both sides must have the same shape.
 */
public final class HiddenStateLoss implements LossTerm {
    public static final String TYPE = "hidden";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public LossValue compute(LossInputs inputs) {
        INDArray student = inputs.student();
        INDArray teacher = inputs.requireTeacher(TYPE);
        Tensors.requireStudent(student, TYPE, 3, "[N, tokens, width]");
        Tensors.requireRank(teacher, TYPE, "teacher", 3, "[N, tokens, width]");
        if (student.size(2) != teacher.size(2)) {
            throw new IllegalArgumentException(TYPE + ": student width " + student.size(2) + " differs from teacher"
                    + " width " + teacher.size(2) + "; project the student tokens first");
        }
        Tensors.requireSameShape(student, teacher, TYPE);
        return MeanSquaredError.of(student, teacher);
    }
}
