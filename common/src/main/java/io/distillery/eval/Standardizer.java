package io.distillery.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per-feature (x - mean) / std with the train set's mean and biased std, as sklearn's {@code StandardScaler}:
 * a constant feature (std below 1e-12) is only centred.
 */
public final class Standardizer {

    private static final double MIN_STD = 1e-12;

    private final INDArray mean;
    private final INDArray std;

    private Standardizer(INDArray mean, INDArray std) {
        this.mean = mean;
        this.std = std;
    }

    /** Fits mean and std over the rows of a checked [N, D] matrix (computed in double). */
    static Standardizer fit(INDArray x) {
        INDArray d = FeatureChecks.as(x, DataType.DOUBLE);
        INDArray mean = d.mean(0).reshape(1, d.columns());
        INDArray centred = d.subRowVector(mean);
        INDArray std = centred.muli(centred).mean(0).reshape(1, d.columns());
        double[] s = std.toDoubleVector();
        for (int j = 0; j < s.length; j++) {
            s[j] = s[j] < MIN_STD * MIN_STD ? 1 : Math.sqrt(s[j]);
        }
        return new Standardizer(mean, Nd4j.create(s, new long[] {1, s.length}, 'c'));
    }

    /** A new double [N, D] matrix of standardised rows. */
    INDArray apply(INDArray x) {
        if (x.columns() != mean.columns()) {
            throw new IllegalArgumentException(
                    "features have " + x.columns() + " columns but the probe was trained on " + mean.columns());
        }
        return FeatureChecks.as(x, DataType.DOUBLE).subRowVector(mean).diviRowVector(std);
    }

    public double[] mean() {
        return mean.toDoubleVector();
    }

    public double[] std() {
        return std.toDoubleVector();
    }
}
