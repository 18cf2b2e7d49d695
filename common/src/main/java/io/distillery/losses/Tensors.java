package io.distillery.losses;

import io.distillery.numerics.FiniteValues;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Input checks with one-line messages naming the loss and the tensor, and double[][] in/out for the row math. */
final class Tensors {

    private Tensors() {}

    /** The student must be FLOAT or DOUBLE (its gradient comes back in the same type) of the given rank. */
    /** A loss parameter that must be finite and > 0 (a temperature, an eps). */
    static void requirePositive(double value, String loss, String name) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(loss + ": " + name + " must be > 0, got " + value);
        }
    }

    static void requireStudent(INDArray student, String loss, int rank, String layout) {
        DataType type = student.dataType();
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            throw new IllegalArgumentException(loss + ": student must be FLOAT or DOUBLE, got " + type);
        }
        requireRank(student, loss, "student", rank, layout);
    }

    static void requireRank(INDArray a, String loss, String role, int rank, String layout) {
        if (a.rank() != rank) {
            throw new IllegalArgumentException(
                    loss + ": " + role + " must be " + layout + ", got shape " + Arrays.toString(a.shape()));
        }
        if (!a.dataType().isFPType()) {
            throw new IllegalArgumentException(loss + ": " + role + " must be floating point, got " + a.dataType());
        }
        if (a.length() == 0) {
            throw new IllegalArgumentException(loss + ": " + role + " is empty, shape " + Arrays.toString(a.shape()));
        }
        // a NaN would otherwise come out as a NaN loss with no hint of which side produced it
        if (!FiniteValues.allFinite(a)) {
            throw new IllegalArgumentException(loss + ": " + role + " has NaN or Inf values");
        }
    }

    static void requireSameShape(INDArray student, INDArray teacher, String loss) {
        if (!Arrays.equals(student.shape(), teacher.shape())) {
            throw new IllegalArgumentException(loss + ": teacher shape " + Arrays.toString(teacher.shape())
                    + " differs from student shape " + Arrays.toString(student.shape()));
        }
    }

    static void requireSameRows(INDArray student, INDArray teacher, String loss) {
        if (student.size(0) != teacher.size(0)) {
            throw new IllegalArgumentException(
                    loss + ": teacher has " + teacher.size(0) + " samples, student " + student.size(0));
        }
    }

    /** Labels: one per row, each in [0, classes). */
    static void requireLabels(int[] labels, long rows, long classes, String loss) {
        if (labels.length != rows) {
            throw new IllegalArgumentException(
                    loss + ": labels has " + labels.length + " entries, student " + rows + " rows");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(
                        loss + ": labels[" + i + "] = " + labels[i] + " is outside [0, " + classes + ")");
            }
        }
    }

    static double[][] rows(INDArray matrix) {
        return matrix.castTo(DataType.DOUBLE).toDoubleMatrix();
    }

    static INDArray of(double[][] rows, DataType type) {
        return Nd4j.create(rows).castTo(type);
    }
}
