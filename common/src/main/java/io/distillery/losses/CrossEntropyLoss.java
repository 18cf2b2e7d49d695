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

    /** The smoothed target of class {@code label} among {@code classes}, written over {@code out[offset..]}. */
    public static void smoothedTarget(int label, int classes, double epsilon, float[] out, int offset) {
        float rest = (float) (epsilon / classes);
        for (int j = 0; j < classes; j++) {
            out[offset + j] = rest;
        }
        out[offset + label] = (float) (1 - epsilon + epsilon / classes);
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
            double rest = labelSmoothing / c;
            double[] logP = RowSoftmax.logSoftmax(s[i]);
            grad[i] = RowSoftmax.exp(logP);
            for (int j = 0; j < c; j++) {
                double q = (j == labels[i] ? 1 - labelSmoothing : 0) + rest;
                if (q != 0) {
                    loss -= q * logP[j];
                }
                grad[i][j] = (grad[i][j] - q) / n;
            }
        }
        return new LossValue(loss / n, Tensors.of(grad, student.dataType()));
    }
}
