package io.distillery.losses;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code nn.MSELoss()} (mean over every element) and its gradient {@code 2 (s - t) / numel}, computed in the
 * student's own type: hidden states are the largest tensors a loss sees, so they are not copied to double.
 */
final class MeanSquaredError {

    private MeanSquaredError() {}

    static LossValue of(INDArray student, INDArray teacher) {
        INDArray t = teacher.dataType() == student.dataType() ? teacher : teacher.castTo(student.dataType());
        double count = student.length();
        INDArray diff = student.sub(t);
        double loss = diff.norm2Number().doubleValue();
        return new LossValue(loss * loss / count, diff.muli(2.0 / count));
    }
}
