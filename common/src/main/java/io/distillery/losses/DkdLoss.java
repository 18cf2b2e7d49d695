package io.distillery.losses;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code dkd}: Decoupled KD (Zhao et al., CVPR 2022), mdistiller's {@code dkd_loss} on logits [N, C] with labels y:
 * <pre>
 *   p = softmax(x/T);  b = [p_y, sum_{j != y} p_j]                         (binary: target vs the rest)
 *   TCKD = T^2/N sum_i KL(b_t || b_s)
 *   NCKD = T^2/N sum_i KL(softmax(t/T - 1000 onehot(y)) || softmax(s/T - 1000 onehot(y)))   (non-target classes)
 *   L    = w (alpha TCKD + beta NCKD),   w = min(epoch / warmup, 1)
 * </pre>
 * The -1000 mask is kept literally, not replaced by dropping the target column, so values match mdistiller even in
 * the (degenerate) case where the target logit exceeds the others by ~1000 T. The warm-up factor w is what
 * mdistiller's {@code DKD.forward_train} multiplies in; {@link #compute(INDArray, INDArray, int[], double)} takes
 * it directly.
 */
public final class DkdLoss implements LossTerm {
    public static final String TYPE = "dkd";
    static final double MASK = 1000.0;

    private final double alpha;
    private final double beta;
    private final double temperature;
    private final double warmupEpochs;

    /** @param warmupEpochs epochs of linear warm-up (mdistiller's 20); 0 for none */
    public DkdLoss(double alpha, double beta, double temperature, double warmupEpochs) {
        Tensors.requirePositive(temperature, TYPE, "temperature");
        if (!Double.isFinite(alpha) || !Double.isFinite(beta)) {
            throw new IllegalArgumentException(TYPE + ": alpha and beta must be finite, got " + alpha + ", " + beta);
        }
        if (!(warmupEpochs >= 0) || Double.isInfinite(warmupEpochs)) {
            throw new IllegalArgumentException(TYPE + ": warmup must be >= 0 epochs, got " + warmupEpochs);
        }
        this.alpha = alpha;
        this.beta = beta;
        this.temperature = temperature;
        this.warmupEpochs = warmupEpochs;
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** {@code min(epoch / warmup, 1)}, 1 without warm-up. */
    public double warmupFactor(double epoch) {
        return warmupEpochs == 0 ? 1.0 : Math.min(epoch / warmupEpochs, 1.0);
    }

    @Override
    public LossValue compute(LossInputs inputs) {
        double factor = warmupEpochs == 0 ? 1.0 : warmupFactor(inputs.requireEpoch(TYPE));
        return compute(inputs.student(), inputs.requireTeacher(TYPE), inputs.requireLabels(TYPE), factor);
    }

    /** The loss with the warm-up factor given explicitly. */
    public LossValue compute(INDArray student, INDArray teacher, int[] labels, double warmupFactor) {
        LossInputs inputs = new LossInputs(student, teacher, labels, Double.NaN);
        INDArray[] pair = KdLoss.logitPair(inputs, TYPE);
        Tensors.requireLabels(inputs.requireLabels(TYPE), student.size(0), student.size(1), TYPE);
        if (!(warmupFactor >= 0) || Double.isInfinite(warmupFactor)) {
            throw new IllegalArgumentException(TYPE + ": warm-up factor must be finite and >= 0, got " + warmupFactor);
        }
        double[][] s = Tensors.rows(pair[0]);
        double[][] t = Tensors.rows(pair[1]);
        int n = s.length;
        double[][] grad = new double[n][];
        double tckd = 0;
        double nckd = 0;
        // both parts are T^2/N * KL on logits divided by T, so their gradients carry T/N
        double gradScale = warmupFactor * temperature / n;
        for (int i = 0; i < n; i++) {
            int y = labels[i];
            grad[i] = new double[s[i].length];
            tckd += targetPart(s[i], t[i], y, alpha * gradScale, grad[i]);
            nckd += nonTargetPart(s[i], t[i], y, beta * gradScale, grad[i]);
        }
        double scale = temperature * temperature / n;
        double loss = warmupFactor * (alpha * tckd * scale + beta * nckd * scale);
        return new LossValue(loss, Tensors.of(grad, student.dataType()));
    }

    /**
     * KL between the binary (target, rest) distributions; adds {@code weight * dKL/dz} (z = s/T) into grad.
     * Chain rule through b_s = [q_y, sum_{j!=y} q_j] and the softmax: dKL/dz_j = q_j (g_j - sum_k q_k g_k) with
     * g_y = -b_t1/b_s1 and g_j = -b_t2/b_s2 otherwise.
     */
    private double targetPart(double[] s, double[] t, int y, double weight, double[] grad) {
        double[] q = RowSoftmax.exp(RowSoftmax.logSoftmax(RowSoftmax.divide(s, temperature)));
        double[] p = RowSoftmax.exp(RowSoftmax.logSoftmax(RowSoftmax.divide(t, temperature)));
        double[] bs = split(q, y);
        double[] bt = split(p, y);
        double kl = RowSoftmax.kl(
                bt, new double[] {Math.log(bt[0]), Math.log(bt[1])}, new double[] {Math.log(bs[0]), Math.log(bs[1])});
        double gTarget = -bt[0] / bs[0];
        double gRest = -bt[1] / bs[1];
        double mean = bt[0] + bt[1]; // -sum_k q_k g_k
        for (int j = 0; j < q.length; j++) {
            grad[j] += weight * q[j] * ((j == y ? gTarget : gRest) + mean);
        }
        return kl;
    }

    /** [x_y, sum of the other x_j], summed like mdistiller's {@code cat_mask}. */
    private static double[] split(double[] x, int y) {
        double rest = 0;
        for (int j = 0; j < x.length; j++) {
            if (j != y) {
                rest += x[j];
            }
        }
        return new double[] {x[y], rest};
    }

    /** KL over the non-target classes; adds {@code weight * (q - p)} (the log-softmax gradient) into grad. */
    private double nonTargetPart(double[] s, double[] t, int y, double weight, double[] grad) {
        double[] zs = RowSoftmax.divide(s, temperature);
        double[] zt = RowSoftmax.divide(t, temperature);
        zs[y] -= MASK;
        zt[y] -= MASK;
        double[] logQ = RowSoftmax.logSoftmax(zs);
        double[] logP = RowSoftmax.logSoftmax(zt);
        double[] p = RowSoftmax.exp(logP);
        double[] q = RowSoftmax.exp(logQ);
        double pSum = 0;
        for (double v : p) {
            pSum += v;
        }
        for (int j = 0; j < q.length; j++) {
            grad[j] += weight * (q[j] * pSum - p[j]);
        }
        return RowSoftmax.kl(p, logP, logQ);
    }
}
