package io.distillery.model.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Integer data (token ids, attention masks) that travels through a DL4J graph as float columns of a layer input:
 * reads them back as ints, refusing a value that is not an integer (a float input holds every id below 2^24
 * exactly, so a fraction means the wrong column was fed).
 */
public final class IntegerColumns {
    private IntegerColumns() {}

    /** Columns {@code [from, from + count)} of {@code input} [B, W], row-major. */
    public static int[] read(INDArray input, long from, long count, String what) {
        INDArray part = input.get(NDArrayIndex.all(), NDArrayIndex.interval(from, from + count));
        double[] values = part.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + " must hold integers, got " + v + " at flat index " + i);
            }
            out[i] = (int) v;
        }
        return out;
    }
}
