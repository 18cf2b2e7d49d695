package io.distillery.losses;

/** Row-wise (log-)softmax in double; the row max is subtracted before exp so large logits cannot overflow. */
final class RowSoftmax {

    private RowSoftmax() {}

    /** {@code x / temperature}, divided (not multiplied by 1/T) to round like PyTorch's {@code logits / T}. */
    static double[] divide(double[] x, double temperature) {
        double[] z = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            z[j] = x[j] / temperature;
        }
        return z;
    }

    static double[] logSoftmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (double v : z) {
            sum += Math.exp(v - max);
        }
        double logSum = max + Math.log(sum);
        double[] out = new double[z.length];
        for (int j = 0; j < z.length; j++) {
            out[j] = z[j] - logSum;
        }
        return out;
    }

    static double[] exp(double[] logP) {
        double[] p = new double[logP.length];
        for (int j = 0; j < p.length; j++) {
            p[j] = Math.exp(logP[j]);
        }
        return p;
    }

    /**
     * {@code sum_j p_j (log p_j - log q_j)} as {@code F.kl_div(log q, p)} sums it: a zero target contributes 0
     * (xlogy), so a teacher probability that underflowed does not turn the sum into NaN.
     */
    static double kl(double[] p, double[] logP, double[] logQ) {
        double sum = 0;
        for (int j = 0; j < p.length; j++) {
            if (p[j] != 0) {
                sum += p[j] * (logP[j] - logQ[j]);
            }
        }
        return sum;
    }
}
