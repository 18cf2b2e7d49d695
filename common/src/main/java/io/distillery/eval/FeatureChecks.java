package io.distillery.eval;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Checks shared by the classifiers: feature matrices [N, D] and their labels. */
final class FeatureChecks {

    /** Labels are class indices; a larger one is almost surely a raw id that was never mapped to an index. */
    static final int MAX_CLASSES = 1 << 20;

    private FeatureChecks() {}

    /** {@code rows} as a float32 [N, D] matrix; rejects null, empty, ragged and non-finite input. */
    static INDArray matrix(float[][] rows, String what) {
        if (rows == null || rows.length == 0) {
            throw new IllegalArgumentException(what + " is empty (need at least one row)");
        }
        int d = rows[0] == null ? 0 : rows[0].length;
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] == null || rows[i].length != d) {
                throw new IllegalArgumentException(what + " row " + i + " has " + (rows[i] == null ? 0 : rows[i].length)
                        + " values, row 0 has " + d);
            }
        }
        return checked(Nd4j.create(rows), what);
    }

    /** Checks {@code x} is a non-empty, finite [N, D] matrix with D > 0; returns it. */
    static INDArray checked(INDArray x, String what) {
        if (x == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (x.rank() != 2) {
            throw new IllegalArgumentException(
                    what + " must be a matrix [N, D] but has shape " + Arrays.toString(x.shape()));
        }
        if (x.rows() == 0 || x.columns() == 0) {
            throw new IllegalArgumentException(what + " is empty (shape " + Arrays.toString(x.shape()) + ")");
        }
        if (!x.dataType().isFPType()) {
            throw new IllegalArgumentException(what + " must be floating point but is " + x.dataType());
        }
        if (x.isNaN().any() || x.isInfinite().any()) {
            throw new IllegalArgumentException(what + " contains NaN or infinite values");
        }
        return x;
    }

    /** Checks one label per row, each a class index in [0, MAX_CLASSES); returns the number of classes (max + 1). */
    static int checkLabels(int[] labels, long rows, String what) {
        if (labels == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (labels.length != rows) {
            throw new IllegalArgumentException(what + " has " + labels.length + " entries for " + rows + " rows");
        }
        int max = -1;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) {
                throw new IllegalArgumentException(what + "[" + i + "] = " + labels[i] + " is negative");
            }
            if (labels[i] >= MAX_CLASSES) {
                throw new IllegalArgumentException(what + "[" + i + "] = " + labels[i] + " is not a class index below "
                        + MAX_CLASSES + " (map raw label ids to 0..C-1 first)");
            }
            max = Math.max(max, labels[i]);
        }
        return max + 1;
    }

    static INDArray as(INDArray x, DataType type) {
        return x.dataType() == type ? x : x.castTo(type);
    }
}
