package io.distillery.losses;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code ce}: cross-entropy of student logits [N, C] against integer labels, mean over the batch
 * ({@code F.cross_entropy}):
 * <pre>
 *   L = (1/N) sum_i [ logsumexp(s_i) - s_i[y_i] ],     dL/ds_i = (softmax(s_i) - onehot(y_i)) / N
 * </pre>
 */
public final class CrossEntropyLoss implements LossTerm {
    public static final String TYPE = "ce";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public LossValue compute(LossInputs inputs) {
        INDArray student = inputs.student();
        Tensors.requireStudent(student, TYPE, 2, "[N, classes]");
        int[] labels = inputs.requireLabels(TYPE);
        Tensors.requireLabels(labels, student.size(0), student.size(1), TYPE);
        double[][] s = Tensors.rows(student);
        int n = s.length;
        double loss = 0;
        double[][] grad = new double[n][];
        for (int i = 0; i < n; i++) {
            double[] logP = RowSoftmax.logSoftmax(s[i]);
            loss -= logP[labels[i]];
            grad[i] = RowSoftmax.exp(logP);
            grad[i][labels[i]] -= 1;
            for (int j = 0; j < grad[i].length; j++) {
                grad[i][j] /= n;
            }
        }
        return new LossValue(loss / n, Tensors.of(grad, student.dataType()));
    }
}
