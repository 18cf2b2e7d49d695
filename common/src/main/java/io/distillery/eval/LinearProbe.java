package io.distillery.eval;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A linear probe: multinomial logistic regression (softmax) trained on frozen features, the way CLIP and many
 * self-supervised papers run it with sklearn ({@code LogisticRegression(solver="lbfgs")}): features standardised
 * with the train mean/std, L2 penalty on the weights, full-batch L-BFGS from zero weights.
 *
 * <p>No randomness is involved (zero start, full batch, fixed row chunks), so no seed is needed: the same inputs
 * and thread count give the same weights. Full batch suits the evaluate job's sizes (60k x 384 is 180 MB in
 * double); the loss is evaluated in {@link LinearProbeSettings#rowChunk() row chunks}.
 */
public final class LinearProbe {

    private final Standardizer standardizer;
    private final INDArray weights;
    private final double[] bias;
    private final Lbfgs.Result fit;

    private LinearProbe(Standardizer standardizer, INDArray weights, double[] bias, Lbfgs.Result fit) {
        this.standardizer = standardizer;
        this.weights = weights;
        this.bias = bias;
        this.fit = fit;
    }

    /** Trains on [N, D] features with class labels >= 0; the number of classes is max label + 1. */
    public static LinearProbe train(INDArray features, int[] labels, LinearProbeSettings settings) {
        if (settings == null) {
            throw new IllegalArgumentException("linear probe settings must not be null");
        }
        FeatureChecks.checked(features, "linear probe train features");
        int classes = FeatureChecks.checkLabels(labels, features.rows(), "linear probe train labels");
        Standardizer standardizer = Standardizer.fit(features);
        SoftmaxObjective objective = new SoftmaxObjective(
                standardizer.apply(features), labels.clone(), classes, settings.l2(), settings.rowChunk());
        Lbfgs.Result fit = Lbfgs.minimize(
                objective,
                new double[objective.parameterCount()],
                settings.history(),
                settings.maxIterations(),
                settings.gradientTolerance());
        int d = features.columns();
        return new LinearProbe(
                standardizer,
                SoftmaxObjective.weights(fit.x(), d, classes),
                Arrays.copyOfRange(fit.x(), d * classes, d * classes + classes),
                fit);
    }

    public static LinearProbe train(float[][] features, int[] labels, LinearProbeSettings settings) {
        return train(FeatureChecks.matrix(features, "linear probe train features"), labels, settings);
    }

    /** The arg-max class of each row (the lower class on an exact tie). */
    public int[] predict(INDArray features) {
        FeatureChecks.checked(features, "linear probe features");
        int n = features.rows();
        int classes = bias.length;
        int[] out = new int[n];
        int chunk = 8192;
        for (int start = 0; start < n; start += chunk) {
            int end = Math.min(n, start + chunk);
            INDArray rows = features.get(NDArrayIndex.interval(start, end), NDArrayIndex.all());
            double[] z = standardizer.apply(rows).mmul(weights).dup('c').data().asDouble();
            for (int r = 0; r < end - start; r++) {
                int best = 0;
                for (int c = 1; c < classes; c++) {
                    if (z[r * classes + c] + bias[c] > z[r * classes + best] + bias[best]) {
                        best = c;
                    }
                }
                out[start + r] = best;
            }
        }
        return out;
    }

    public int[] predict(float[][] features) {
        return predict(FeatureChecks.matrix(features, "linear probe features"));
    }

    /** Top-1 accuracy (fraction in [0, 1]). */
    public double accuracy(INDArray features, int[] labels) {
        long rows = FeatureChecks.checked(features, "linear probe features").rows();
        FeatureChecks.checkLabels(labels, rows, "linear probe labels");
        return Accuracy.of(predict(features), labels);
    }

    public int numClasses() {
        return bias.length;
    }

    /** Weights [D, C] acting on standardised features (a copy). */
    public INDArray weights() {
        return weights.dup();
    }

    public double[] bias() {
        return bias.clone();
    }

    public Standardizer standardizer() {
        return standardizer;
    }

    /** Final regularised train loss. */
    public double trainLoss() {
        return fit.value();
    }

    public int iterations() {
        return fit.iterations();
    }

    /** Whether L-BFGS met a stopping tolerance (false: it hit the iteration limit or stalled). */
    public boolean converged() {
        return fit.converged();
    }

    /** Why L-BFGS stopped, for logs and reports. */
    public String stopReason() {
        return fit.stop();
    }
}
