package io.distillery.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Embedding matrices for the image-text metrics: checked, in double, each row divided by its L2 norm. Unlike
 * {@link KnnClassifier} (which clamps the norm like {@code F.normalize}), a zero row is an error here: an all-zero
 * image or text embedding means a broken encoder, and open_clip would silently score it as NaN.
 */
final class UnitRows {

    private UnitRows() {}

    /** {@code x} [N, D] as a double matrix of unit rows; {@code what} names the input in error messages. */
    static INDArray of(INDArray x, String what) {
        return of(x, what, 0);
    }

    /** As {@link #of(INDArray, String)} for a block of a larger matrix that starts at row {@code firstRow}. */
    static INDArray of(INDArray x, String what, long firstRow) {
        FeatureChecks.checked(x, what);
        INDArray d = x.castTo(DataType.DOUBLE);
        double[] norms = d.norm2(1).data().asDouble();
        for (int i = 0; i < norms.length; i++) {
            if (norms[i] == 0) {
                throw new IllegalArgumentException(
                        what + " row " + (firstRow + i) + " is all zeros (its direction is undefined)");
            }
        }
        return d.divColumnVector(d.norm2(1).reshape(d.rows(), 1));
    }

    /** Fails unless both matrices have the same number of columns, naming both inputs. */
    static void sameDimension(INDArray a, String whatA, INDArray b, String whatB) {
        if (a.columns() != b.columns()) {
            throw new IllegalArgumentException(
                    whatA + " have dimension " + a.columns() + " but " + whatB + " have dimension " + b.columns());
        }
    }

    /**
     * The 0-based rank of gallery item {@code target} in row {@code s[offset, offset + n)} sorted by descending
     * similarity, ties ranked by lower gallery index (a stable sort): how many items beat it.
     */
    static int rankOf(double[] s, int offset, int n, int target) {
        double t = s[offset + target];
        int rank = 0;
        for (int j = 0; j < n; j++) {
            double v = s[offset + j];
            if (v > t || (v == t && j < target)) {
                rank++;
            }
        }
        return rank;
    }
}
