package io.distillery.losses;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code lskd}: Logit Standardization KD (Sun et al., CVPR 2024; sunshangquan/logit-standardization-KD,
 * {@code normalize} + {@code kd_loss(..., logit_stand=True)}): KD at the base temperature on per-sample z-scores
 * <pre>
 *   z(x) = (x - mean(x)) / (eps + std(x)),   std unbiased (C - 1), eps = 1e-7 added to the std
 *   L    = T^2 (1/N) sum_i KL( softmax(z(t_i)/T) || softmax(z(s_i)/T) )
 * </pre>
 * Standardizing removes the student's need to match the teacher's logit scale and shift, only their ranking.
 * Backward through z: with c = x - mean, d = eps + std and g = dL/dz,
 * {@code dL/dx = (g - mean(g)) / d - (g . c) c / (d^2 (C - 1) std)}. Where a row is constant (std = 0) the second
 * term is 0 (g . c = 0 there), where PyTorch's std backward would give NaN.
 */
public final class LskdLoss implements LossTerm {
    public static final String TYPE = "lskd";

    private final double temperature;
    private final double eps;

    public LskdLoss(double temperature, double eps) {
        Tensors.requirePositive(temperature, TYPE, "temperature");
        Tensors.requirePositive(eps, TYPE, "eps");
        this.temperature = temperature;
        this.eps = eps;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public LossValue compute(LossInputs inputs) {
        INDArray[] pair = KdLoss.logitPair(inputs, TYPE);
        if (pair[0].size(1) < 2) {
            throw new IllegalArgumentException(
                    TYPE + ": student needs at least 2 classes for an unbiased std, got " + pair[0].size(1));
        }
        double[][] s = Tensors.rows(pair[0]);
        double[][] t = Tensors.rows(pair[1]);
        int n = s.length;
        double[][] zs = new double[n][];
        double[][] zt = new double[n][];
        double[] sStd = new double[n];
        for (int i = 0; i < n; i++) {
            sStd[i] = std(s[i]);
            zs[i] = standardize(s[i], sStd[i]);
            zt[i] = standardize(t[i], std(t[i]));
        }
        double[][] gz = new double[n][];
        double loss = KdLoss.divergence(zs, zt, temperature, gz);
        double[][] grad = new double[n][];
        for (int i = 0; i < n; i++) {
            grad[i] = backward(s[i], sStd[i], gz[i]);
        }
        return new LossValue(loss, Tensors.of(grad, pair[0].dataType()));
    }

    private double[] standardize(double[] x, double std) {
        double mean = mean(x);
        double[] z = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            z[j] = (x[j] - mean) / (eps + std);
        }
        return z;
    }

    private double[] backward(double[] x, double std, double[] g) {
        int c = x.length;
        double mean = mean(x);
        double gMean = mean(g);
        double d = eps + std;
        double gDotC = 0;
        for (int j = 0; j < c; j++) {
            gDotC += g[j] * (x[j] - mean);
        }
        double stdTerm = std == 0 ? 0 : gDotC / (d * d * (c - 1) * std);
        double[] dx = new double[c];
        for (int j = 0; j < c; j++) {
            dx[j] = (g[j] - gMean) / d - stdTerm * (x[j] - mean);
        }
        return dx;
    }

    private static double mean(double[] x) {
        double sum = 0;
        for (double v : x) {
            sum += v;
        }
        return sum / x.length;
    }

    /** Unbiased (C - 1) standard deviation, like {@code torch.std}'s default. */
    private static double std(double[] x) {
        double mean = mean(x);
        double sum = 0;
        for (double v : x) {
            sum += (v - mean) * (v - mean);
        }
        return Math.sqrt(sum / (x.length - 1));
    }
}
