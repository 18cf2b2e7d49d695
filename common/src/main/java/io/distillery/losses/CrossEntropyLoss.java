package io.distillery.losses;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code ce}: cross-entropy of student logits [N, C] against integer labels, mean over the batch, with optional
 * label smoothing ε ({@code F.cross_entropy(s, y, label_smoothing=ε)}; Szegedy et al. 2016): the target is
 * q = (1 - ε)·onehot(y) + ε/C, so
 * <pre>
 *   L = (1/N) sum_i [ logsumexp(s_i) - sum_j q_ij s_ij ],     dL/ds_i = (softmax(s_i) - q_i) / N
 * </pre>
 */
public final class CrossEntropyLoss implements LossTerm {
    public static final String TYPE = "ce";

    private final double labelSmoothing;

    /** @param labelSmoothing ε in [0, 1): the probability mass spread evenly over all classes */
    public CrossEntropyLoss(double labelSmoothing) {
        this.labelSmoothing = checkedSmoothing(labelSmoothing, TYPE + ": label-smoothing");
    }

    /** ε itself, or an {@link IllegalArgumentException} naming {@code what} when it is outside [0, 1). */
    public static double checkedSmoothing(double epsilon, String what) {
        if (!(epsilon >= 0 && epsilon < 1)) {
            throw new IllegalArgumentException(what + " must be in [0, 1), got " + epsilon);
        }
        return epsilon;
    }

    /** q_j of the smoothed target of class {@code label} among {@code classes}: (1 - ε)·[j = label] + ε/classes. */
    static double smoothedTarget(int j, int label, int classes, double epsilon) {
        return (j == label ? 1 - epsilon : 0) + epsilon / classes;
    }

    /** The smoothed target of class {@code label} among {@code classes}, written over {@code out[offset..]}. */
    public static void smoothedTarget(int label, int classes, double epsilon, float[] out, int offset) {
        for (int j = 0; j < classes; j++) {
            out[offset + j] = (float) smoothedTarget(j, label, classes, epsilon);
        }
    }

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
            int c = s[i].length;
            double[] logP = RowSoftmax.logSoftmax(s[i]);
            grad[i] = RowSoftmax.exp(logP);
            for (int j = 0; j < c; j++) {
                double q = smoothedTarget(j, labels[i], c, labelSmoothing);
                if (q != 0) { // without smoothing the other classes' log p may be -inf; 0 · -inf would be NaN
                    loss -= q * logP[j];
                }
                grad[i][j] = (grad[i][j] - q) / n;
            }
        }
        return new LossValue(loss / n, Tensors.of(grad, student.dataType()));
    }
}
