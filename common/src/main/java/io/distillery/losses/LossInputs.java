package io.distillery.losses;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one batch offers a loss: the student tensor (the one differentiated), the teacher tensor, the integer
 * class labels and the (possibly fractional, 1-based as in mdistiller) epoch. Each loss asks for what it needs and
 * says which one is missing.
 */
public record LossInputs(INDArray student, INDArray teacher, int[] labels, double epoch) {

    public LossInputs {
        Objects.requireNonNull(student, "student cannot be null");
    }

    public static LossInputs of(INDArray student, INDArray teacher) {
        return new LossInputs(student, teacher, null, Double.NaN);
    }

    public static LossInputs ofLabels(INDArray student, int[] labels) {
        return new LossInputs(student, null, labels, Double.NaN);
    }

    public LossInputs withLabels(int[] newLabels) {
        return new LossInputs(student, teacher, newLabels, epoch);
    }

    public LossInputs atEpoch(double newEpoch) {
        return new LossInputs(student, teacher, labels, newEpoch);
    }

    INDArray requireTeacher(String loss) {
        if (teacher == null) {
            throw new IllegalArgumentException(loss + ": needs the teacher tensor, none given");
        }
        return teacher;
    }

    int[] requireLabels(String loss) {
        if (labels == null) {
            throw new IllegalArgumentException(loss + ": needs class labels, none given");
        }
        return labels;
    }

    double requireEpoch(String loss) {
        if (!(epoch >= 0)) {
            throw new IllegalArgumentException(loss + ": needs the epoch (>= 0) for its warm-up, got " + epoch);
        }
        return epoch;
    }
}
