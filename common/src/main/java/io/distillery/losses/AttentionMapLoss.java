package io.distillery.losses;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code attention}: TinyBERT's attention loss, {@code MSE(A_s, A_t)} with mean reduction over attention
 * probabilities [N, heads, T, T]; student and teacher must have the same number of heads (TinyBERT maps layers,
 * not heads). TinyBERT's code also zeroes entries <= -100 because it compares masked pre-softmax scores; with
 * probabilities that rule never applies, so it is not reproduced.
 */
public final class AttentionMapLoss implements LossTerm {
    public static final String TYPE = "attention";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public LossValue compute(LossInputs inputs) {
        INDArray student = inputs.student();
        INDArray teacher = inputs.requireTeacher(TYPE);
        Tensors.requireStudent(student, TYPE, 4, "[N, heads, tokens, tokens]");
        Tensors.requireRank(teacher, TYPE, "teacher", 4, "[N, heads, tokens, tokens]");
        Tensors.requireSameShape(student, teacher, TYPE);
        return MeanSquaredError.of(student, teacher);
    }
}
