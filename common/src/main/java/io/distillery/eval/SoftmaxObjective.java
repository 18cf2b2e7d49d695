package io.distillery.eval;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Multinomial logistic regression loss on standardised features X [N, D] with labels y:
 * <pre>
 *   L(W, b) = (1/N) sum_i [ logsumexp(z_i) - z_i[y_i] ] + (l2/2) ||W||^2,   z_i = x_i W + b
 *   dL/dW   = (1/N) X^T (P - Y) + l2 W,   dL/db = (1/N) sum_i (p_i - y_i),   P = softmax(Z) row-wise
 * </pre>
 * Parameters are one vector: W [D, C] row-major, then b [C]. Rows are processed in chunks so memory stays at
 * {@code rowChunk x C} doubles whatever N is.
 */
final class SoftmaxObjective implements Lbfgs.Objective {

    private final INDArray x;
    private final int[] labels;
    private final int classes;
    private final double l2;
    private final int rowChunk;

    SoftmaxObjective(INDArray standardized, int[] labels, int classes, double l2, int rowChunk) {
        this.x = standardized;
        this.labels = labels;
        this.classes = classes;
        this.l2 = l2;
        this.rowChunk = rowChunk;
    }

    int parameterCount() {
        return x.columns() * classes + classes;
    }

    @Override
    public double evaluate(double[] theta, double[] gradient) {
        int d = x.columns();
        int n = x.rows();
        INDArray w = weights(theta, d, classes);
        double[] bias = Arrays.copyOfRange(theta, d * classes, d * classes + classes);
        INDArray gradW = Nd4j.zeros(w.dataType(), d, classes);
        double[] gradB = new double[classes];
        double loss = 0;
        for (int start = 0; start < n; start += rowChunk) {
            int end = Math.min(n, start + rowChunk);
            INDArray xc = x.get(NDArrayIndex.interval(start, end), NDArrayIndex.all());
            double[] z = xc.mmul(w).dup('c').data().asDouble();
            for (int r = 0; r < end - start; r++) {
                loss += softmaxMinusOneHot(z, r * classes, bias, labels[start + r], gradB);
            }
            INDArray residual = Nd4j.create(z, new long[] {end - start, classes}, 'c');
            gradW.addi(xc.transpose().mmul(residual));
        }
        gradW.divi(n);
        double penalty = 0;
        double[] gw = gradW.dup('c').data().asDouble();
        for (int i = 0; i < gw.length; i++) {
            penalty += theta[i] * theta[i];
            gradient[i] = gw[i] + l2 * theta[i];
        }
        for (int c = 0; c < classes; c++) {
            gradient[d * classes + c] = gradB[c] / n;
        }
        return loss / n + 0.5 * l2 * penalty;
    }

    /**
     * Turns logits z[o..o+C) (bias not yet added) into softmax minus one-hot in place, adds that to gradB and returns
     * the row's cross-entropy. The max is subtracted before exp so large logits cannot overflow.
     */
    private double softmaxMinusOneHot(double[] z, int o, double[] bias, int label, double[] gradB) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            z[o + c] += bias[c];
            max = Math.max(max, z[o + c]);
        }
        double correct = z[o + label];
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            z[o + c] = Math.exp(z[o + c] - max);
            sum += z[o + c];
        }
        for (int c = 0; c < classes; c++) {
            z[o + c] /= sum;
        }
        z[o + label] -= 1;
        for (int c = 0; c < classes; c++) {
            gradB[c] += z[o + c];
        }
        return Math.log(sum) + max - correct;
    }

    /** W [D, C] from the first D * C entries of the parameter vector. */
    static INDArray weights(double[] theta, int d, int classes) {
        return Nd4j.create(Arrays.copyOf(theta, d * classes), new long[] {d, classes}, 'c');
    }
}
