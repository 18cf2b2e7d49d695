package io.distillery.losses.imagetext;

import io.distillery.numerics.FiniteValues;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Input checks with one-line messages naming the loss and the tensor at fault; each returns the tensor as DOUBLE,
 * the type every loss computes in.
 */
final class Checks {

    private Checks() {}

    /** The student's image and text embeddings: FLOAT or DOUBLE (their gradients come back in it), [N, D], alike. */
    static INDArray[] student(ImageTextInputs inputs, String loss) {
        INDArray image = studentSide(inputs.studentImage(), loss, "student image");
        INDArray text = studentSide(inputs.studentText(), loss, "student text");
        if (!Arrays.equals(image.shape(), text.shape())) {
            throw new IllegalArgumentException(loss + ": student text shape " + Arrays.toString(text.shape())
                    + " differs from student image shape " + Arrays.toString(image.shape()));
        }
        return new INDArray[] {image, text};
    }

    /** The teacher's image and text embeddings, [N, D_t] with the student's N. */
    static INDArray[] teacher(ImageTextInputs inputs, String loss, long rows) {
        INDArray image = teacherSide(inputs.teacherImage(), loss, "teacher image");
        INDArray text = teacherSide(inputs.teacherText(), loss, "teacher text");
        if (!Arrays.equals(image.shape(), text.shape())) {
            throw new IllegalArgumentException(loss + ": teacher text shape " + Arrays.toString(text.shape())
                    + " differs from teacher image shape " + Arrays.toString(image.shape()));
        }
        if (image.size(0) != rows) {
            throw new IllegalArgumentException(loss + ": teacher has " + image.size(0) + " samples, student " + rows);
        }
        return new INDArray[] {image, text};
    }

    /** For losses that compare student and teacher embeddings directly; the projection is the caller's. */
    static void sameWidth(String loss, long studentWidth, long teacherWidth) {
        if (studentWidth != teacherWidth) {
            throw new IllegalArgumentException(loss + ": student width " + studentWidth + " differs from teacher width "
                    + teacherWidth + "; project the student embeddings to the teacher's width first");
        }
    }

    static double studentLogScale(ImageTextInputs inputs, String loss) {
        double logScale = inputs.studentLogScale();
        if (!Double.isFinite(logScale)) {
            throw new IllegalArgumentException(loss + ": student log logit scale must be finite, got " + logScale);
        }
        return logScale;
    }

    static double teacherScale(ImageTextInputs inputs, String loss) {
        double scale = inputs.teacherScale();
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException(
                    loss + ": needs the teacher logit scale (exp of its logit_scale, > 0), got " + scale);
        }
        return scale;
    }

    /** The value of a learnable parameter the loss declared, with the declared shape. */
    static INDArray parameter(ImageTextInputs inputs, String loss, LearnableParameter declared) {
        INDArray value = inputs.parameters().get(declared.name());
        if (value == null) {
            throw new IllegalArgumentException(
                    loss + ": needs its learnable parameter " + declared.name() + ", none given");
        }
        String role = "parameter " + declared.name();
        if (!Arrays.equals(value.shape(), declared.shape())) {
            throw new IllegalArgumentException(loss + ": " + role + " must have shape "
                    + Arrays.toString(declared.shape()) + ", got " + Arrays.toString(value.shape()));
        }
        return finiteFloatingPoint(value, loss, role);
    }

    private static INDArray studentSide(INDArray a, String loss, String role) {
        DataType type = a.dataType();
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            throw new IllegalArgumentException(loss + ": " + role + " must be FLOAT or DOUBLE, got " + type);
        }
        return matrix(a, loss, role);
    }

    private static INDArray teacherSide(INDArray a, String loss, String role) {
        if (a == null) {
            throw new IllegalArgumentException(loss + ": needs the " + role + " embeddings, none given");
        }
        return matrix(a, loss, role);
    }

    private static INDArray matrix(INDArray a, String loss, String role) {
        if (a.rank() != 2) {
            throw new IllegalArgumentException(
                    loss + ": " + role + " must be [N, D], got shape " + Arrays.toString(a.shape()));
        }
        if (a.length() == 0) {
            throw new IllegalArgumentException(loss + ": " + role + " is empty, shape " + Arrays.toString(a.shape()));
        }
        return finiteFloatingPoint(a, loss, role);
    }

    private static INDArray finiteFloatingPoint(INDArray a, String loss, String role) {
        if (!a.dataType().isFPType()) {
            throw new IllegalArgumentException(loss + ": " + role + " must be floating point, got " + a.dataType());
        }
        // a NaN would otherwise come out as a NaN loss with no hint of which tensor produced it
        if (!FiniteValues.allFinite(a)) {
            throw new IllegalArgumentException(loss + ": " + role + " has NaN or Inf values");
        }
        return a.castTo(DataType.DOUBLE);
    }
}
