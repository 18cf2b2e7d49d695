package io.distillery.model.kernels;

import java.util.Arrays;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Row-major {@code C = alpha op(A) op(B) + beta C} straight into OpenBLAS on the arrays' buffers, with explicit
 * element offsets and leading dimensions. This reaches sub-matrices (one attention head inside a packed qkv
 * projection, one image inside a batch) without copies, and skips ND4J's c-order mmul path, which allocates,
 * zeroes and reorders its output (the field notes measured it at 69 % of the same BLAS call).
 */
public final class Blas {
    private Blas() {}

    /**
     * @param a    row-major, element (i, j) of op-less A at {@code aOff + i * lda + j}
     * @param b    likewise with {@code bOff, ldb}
     * @param c    likewise with {@code cOff, ldc}; same data type as a and b (FLOAT or DOUBLE)
     */
    public static void gemm(
            boolean transA,
            boolean transB,
            long m,
            long n,
            long k,
            double alpha,
            INDArray a,
            long aOff,
            long lda,
            INDArray b,
            long bOff,
            long ldb,
            double beta,
            INDArray c,
            long cOff,
            long ldc) {
        int ta = transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        int tb = transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        DataType type = c.dataType();
        if (type == DataType.FLOAT) {
            openblas_nolapack.cblas_sgemm(
                    openblas_nolapack.CblasRowMajor,
                    ta,
                    tb,
                    (int) m,
                    (int) n,
                    (int) k,
                    (float) alpha,
                    floats(a, aOff),
                    (int) lda,
                    floats(b, bOff),
                    (int) ldb,
                    (float) beta,
                    floats(c, cOff),
                    (int) ldc);
        } else if (type == DataType.DOUBLE) {
            openblas_nolapack.cblas_dgemm(
                    openblas_nolapack.CblasRowMajor,
                    ta,
                    tb,
                    (int) m,
                    (int) n,
                    (int) k,
                    alpha,
                    doubles(a, aOff),
                    (int) lda,
                    doubles(b, bOff),
                    (int) ldb,
                    beta,
                    doubles(c, cOff),
                    (int) ldc);
        } else {
            throw new IllegalArgumentException("native engine supports FLOAT and DOUBLE, not " + type);
        }
    }

    /** {@code y[yOff, yOff + n) = x[xOff, xOff + n)} on dense buffers of the same data type (BLAS copy). */
    public static void copy(long n, INDArray x, long xOff, INDArray y, long yOff) {
        DataType type = y.dataType();
        if (type == DataType.FLOAT) {
            openblas_nolapack.cblas_scopy((int) n, floats(x, xOff), 1, floats(y, yOff), 1);
        } else if (type == DataType.DOUBLE) {
            openblas_nolapack.cblas_dcopy((int) n, doubles(x, xOff), 1, doubles(y, yOff), 1);
        } else {
            throw new IllegalArgumentException("native engine supports FLOAT and DOUBLE, not " + type);
        }
    }

    /** Writes {@code values} into the dense buffer of {@code y} from element {@code yOff} (rounded for FLOAT). */
    public static void put(double[] values, INDArray y, long yOff) {
        DataType type = y.dataType();
        if (type == DataType.FLOAT) {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) values[i];
            }
            floats(y, yOff).put(f, 0, f.length);
        } else if (type == DataType.DOUBLE) {
            doubles(y, yOff).put(values, 0, values.length);
        } else {
            throw new IllegalArgumentException("native engine supports FLOAT and DOUBLE, not " + type);
        }
    }

    /** {@code x W^T} for x [rows, in] and W [out, in] (PyTorch's Linear layout), into out [rows, out]. */
    public static void linear(INDArray x, INDArray w, INDArray out) {
        long rows = x.size(0);
        long in = x.size(1);
        long outCols = w.size(0);
        gemm(false, true, rows, outCols, in, 1, x, 0, in, w, 0, in, 0, out, 0, outCols);
    }

    /**
     * Column sums of a dense [rows, cols] matrix into {@code out} (dense, cols elements), as a gemm with a ones
     * row: ND4J's sum over dimension 0 walks the matrix with a stride and is ~10x slower.
     */
    public static void columnSums(INDArray x, INDArray out) {
        int rows = (int) x.size(0);
        int cols = (int) x.size(1);
        INDArray ones = ones(x.dataType(), rows);
        // x^T ones as a gemv: OpenBLAS's gemm with one output row is several times slower
        if (out.dataType() == DataType.FLOAT) {
            openblas_nolapack.cblas_sgemv(
                    openblas_nolapack.CblasRowMajor,
                    openblas_nolapack.CblasTrans,
                    rows,
                    cols,
                    1f,
                    floats(x, 0),
                    cols,
                    floats(ones, 0),
                    1,
                    0f,
                    floats(out, 0),
                    1);
        } else if (out.dataType() == DataType.DOUBLE) {
            openblas_nolapack.cblas_dgemv(
                    openblas_nolapack.CblasRowMajor,
                    openblas_nolapack.CblasTrans,
                    rows,
                    cols,
                    1,
                    doubles(x, 0),
                    cols,
                    doubles(ones, 0),
                    1,
                    0,
                    doubles(out, 0),
                    1);
        } else {
            throw new IllegalArgumentException("native engine supports FLOAT and DOUBLE, not " + out.dataType());
        }
    }

    private static final ThreadLocal<java.util.Map<DataType, INDArray>> ONES =
            ThreadLocal.withInitial(() -> new java.util.EnumMap<>(DataType.class));

    private static INDArray ones(DataType type, long length) {
        INDArray ones = ONES.get().get(type);
        if (ones == null || ones.length() < length) {
            try (org.nd4j.linalg.api.memory.MemoryWorkspace ignored =
                    org.nd4j.linalg.factory.Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                ones = org.nd4j.linalg.factory.Nd4j.ones(type, Math.max(length, 4096));
            }
            ONES.get().put(type, ones);
        }
        return ones;
    }

    /**
     * {@code x} as a dense row-major [rows, cols] matrix: a view when its elements already lie that way (the
     * common case), else a c-order copy. BLAS needs unit stride along rows and a fixed row pitch.
     */
    public static INDArray rows(INDArray x, long rows, long cols) {
        if (isDense(x)) {
            return x.reshape('c', rows, cols);
        }
        return x.dup('c').reshape('c', rows, cols);
    }

    /** Whether the array's elements are contiguous in c order (a view with an offset is fine). */
    public static boolean isDense(INDArray x) {
        if (x.ordering() != 'c' && x.rank() > 1) {
            return false;
        }
        long[] shape = x.shape();
        long[] stride = x.stride();
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /** A parameter or gradient view the kernels can write through BLAS (c-order contiguous), checked once. */
    static INDArray requireDense(INDArray x, String name) {
        if (!isDense(x)) {
            throw new IllegalStateException("array " + name + " is not dense row-major: shape "
                    + Arrays.toString(x.shape()) + ", stride " + Arrays.toString(x.stride()));
        }
        return x;
    }

    /** A parameter stored as [1, n] or [n] as a rank-1 view, for row-vector broadcasts. */
    static INDArray vector(INDArray param) {
        return param.reshape(param.length());
    }

    private static FloatPointer floats(INDArray x, long offset) {
        FloatPointer p = new FloatPointer(x.data().addressPointer());
        return offset == 0 ? p : p.position(p.position() + offset);
    }

    private static DoublePointer doubles(INDArray x, long offset) {
        DoublePointer p = new DoublePointer(x.data().addressPointer());
        return offset == 0 ? p : p.position(p.position() + offset);
    }
}
