package io.distillery.model.kernels;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Layer norm over rows and instance norm over tokens, forward and backward, as fused loops over FLOAT data
 * copied in cache-sized chunks (C2 vectorises the per-channel loops). ND4J needs 8 to 12 separate ops (each a
 * pass over memory, several allocating) for the same work; the double-precision path keeps those ops
 * ({@link LayerNormKernel}), which is what the gradient checks exercise.
 */
public final class FloatNorms {
    private static final int CHUNK = 1 << 14;
    private static final RowSums SUMS = RowSums.INSTANCE;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[4][CHUNK]);

    private FloatNorms() {
    }

    public static boolean applies(INDArray... arrays) {
        for (INDArray a : arrays) {
            if (a != null && (a.dataType() != DataType.FLOAT || !Blas.isDense(a))) {
                return false;
            }
        }
        return true;
    }

    private static float[] scratch(int which, int length) {
        float[][] buf = SCRATCH.get();
        if (buf[which].length < length) {
            buf[which] = new float[length];
        }
        return buf[which];
    }

    private static FloatPointer pointer(INDArray x) {
        return new FloatPointer(x.data().addressPointer());
    }

    private static void read(INDArray x, long offset, float[] into, int length) {
        FloatPointer p = pointer(x);
        p.position(p.position() + offset).get(into, 0, length);
    }

    private static void write(INDArray x, long offset, float[] from, int length) {
        FloatPointer p = pointer(x);
        p.position(p.position() + offset).put(from, 0, length);
    }

    private static float[] vector(INDArray v, int length) {
        float[] out = new float[length];
        read(v, 0, out, length);
        return out;
    }

    /** y = (x - mean) rstd (* w + b) per row of x [N, D]; xhat and rstd (per row) kept when non-null. */
    static void layerNormForward(INDArray x, INDArray weight, INDArray bias, double eps, INDArray out,
                                 INDArray xhat, INDArray inverseStd) {
        int d = (int) x.size(1);
        long rows = x.size(0);
        int rowsPerChunk = Math.max(1, CHUNK / d);
        float[] w = weight == null ? null : vector(weight, d);
        float[] b = bias == null ? null : vector(bias, d);
        float[] in = scratch(0, rowsPerChunk * d);
        float[] norm = scratch(1, rowsPerChunk * d);
        float[] y = scratch(2, rowsPerChunk * d);
        float[] rstd = scratch(3, rowsPerChunk);
        for (long row = 0; row < rows; row += rowsPerChunk) {
            int count = (int) Math.min(rowsPerChunk, rows - row);
            read(x, row * d, in, count * d);
            for (int r = 0; r < count; r++) {
                int o = r * d;
                float mean = SUMS.sum(in, o, d) / d;
                float squares = SUMS.centeredSquares(in, o, d, mean);
                float inv = (float) (1.0 / Math.sqrt((double) squares / d + eps));
                rstd[r] = inv;
                for (int k = 0; k < d; k++) {
                    norm[o + k] = (in[o + k] - mean) * inv;
                }
                if (w != null) {
                    for (int k = 0; k < d; k++) {
                        y[o + k] = norm[o + k] * w[k] + b[k];
                    }
                }
            }
            write(out, row * d, w != null ? y : norm, count * d);
            if (xhat != null) {
                write(xhat, row * d, norm, count * d);
                write(inverseStd, row, rstd, count);
            }
        }
    }

    /**
     * dx = rstd (g - mean(g) - xhat mean(g xhat)) with g = dy w per row; dw = sum(dy xhat), db = sum(dy) over rows
     * (when the norm has them). {@code dx} may be {@code dy}.
     */
    static void layerNormBackward(INDArray dy, INDArray xhat, INDArray inverseStd, INDArray weight,
                                  INDArray weightGrad, INDArray biasGrad, INDArray dx) {
        int d = (int) dy.size(1);
        long rows = dy.size(0);
        int rowsPerChunk = Math.max(1, CHUNK / d);
        float[] w = weight == null ? null : vector(weight, d);
        float[] dw = new float[d];
        float[] db = new float[d];
        float[] grad = scratch(0, rowsPerChunk * d);
        float[] norm = scratch(1, rowsPerChunk * d);
        float[] g = scratch(2, rowsPerChunk * d);
        float[] rstd = scratch(3, rowsPerChunk);
        for (long row = 0; row < rows; row += rowsPerChunk) {
            int count = (int) Math.min(rowsPerChunk, rows - row);
            read(dy, row * d, grad, count * d);
            read(xhat, row * d, norm, count * d);
            read(inverseStd, row, rstd, count);
            for (int r = 0; r < count; r++) {
                int o = r * d;
                if (w != null) {
                    for (int k = 0; k < d; k++) {
                        dw[k] += grad[o + k] * norm[o + k];
                        db[k] += grad[o + k];
                        g[o + k] = grad[o + k] * w[k];
                    }
                } else {
                    System.arraycopy(grad, o, g, o, d);
                }
                float meanG = SUMS.sum(g, o, d) / d;
                float meanGx = SUMS.dot(g, norm, o, d) / d;
                float inv = rstd[r];
                for (int k = 0; k < d; k++) {
                    g[o + k] = inv * (g[o + k] - meanG - norm[o + k] * meanGx);
                }
            }
            write(dx, row * d, g, count * d);
        }
        if (weightGrad != null) {
            write(weightGrad, 0, dw, d);
        }
        if (biasGrad != null) {
            write(biasGrad, 0, db, d);
        }
    }

    /**
     * Instance norm over the tokens of each of G = B*L groups of x [G, T, D] (per channel, biased variance), then
     * the mean over the L groups of each sample: z [G, T, D] and rstd [G, D] kept, average [B, T, D] returned
     * through {@code average}.
     */
    static void instanceNormForward(INDArray x, int groupsPerSample, double eps, INDArray z, INDArray inverseStd,
                                    INDArray average) {
        int t = (int) x.size(1);
        int d = (int) x.size(2);
        instanceNormForward(x, new GroupLayout(x.size(0) / groupsPerSample, groupsPerSample, groupsPerSample, t, 0),
                d, eps, z, inverseStd, average);
    }

    /**
     * Where group g = (sample, block) of a merged [B, blocksTotal * tokensTotal * D] input starts: its first
     * {@code blocksUsed} blocks, tokens from {@code skip} on (the CLS token dropped when skip = 1).
     */
    record GroupLayout(long samples, int blocksTotal, int blocksUsed, int tokensTotal, int skip) {
        long groups() {
            return samples * blocksUsed;
        }

        int tokens() {
            return tokensTotal - skip;
        }

        long offset(long group, int d) {
            long sample = group / blocksUsed;
            long block = group % blocksUsed;
            return ((sample * blocksTotal + block) * tokensTotal + skip) * d;
        }
    }

    /** {@link #instanceNormForward(INDArray, int, double, INDArray, INDArray, INDArray)} reading groups in place. */
    static void instanceNormForward(INDArray x, GroupLayout layout, int d, double eps, INDArray z,
                                    INDArray inverseStd, INDArray average) {
        int groupsPerSample = layout.blocksUsed();
        int t = layout.tokens();
        long groups = layout.groups();
        int size = t * d;
        float[] in = scratch(0, size);
        float[] avg = scratch(1, size);
        float[] mean = new float[d];
        float[] inv = new float[d];
        float[] acc = new float[d];
        for (long gIdx = 0; gIdx < groups; gIdx++) {
            int l = (int) (gIdx % groupsPerSample);
            if (l == 0) {
                java.util.Arrays.fill(avg, 0, size, 0f);
            }
            read(x, layout.offset(gIdx, d), in, size);
            java.util.Arrays.fill(acc, 0f);
            for (int r = 0; r < t; r++) {
                for (int k = 0; k < d; k++) {
                    acc[k] += in[r * d + k];
                }
            }
            for (int k = 0; k < d; k++) {
                mean[k] = acc[k] / t;
            }
            java.util.Arrays.fill(acc, 0f);
            for (int r = 0; r < t; r++) {
                for (int k = 0; k < d; k++) {
                    float c = in[r * d + k] - mean[k];
                    acc[k] += c * c;
                }
            }
            for (int k = 0; k < d; k++) {
                inv[k] = (float) (1.0 / Math.sqrt(acc[k] / t + eps));
            }
            float share = 1f / groupsPerSample;
            for (int r = 0; r < t; r++) {
                for (int k = 0; k < d; k++) {
                    float v = (in[r * d + k] - mean[k]) * inv[k];
                    in[r * d + k] = v;
                    avg[r * d + k] += v * share;
                }
            }
            write(z, gIdx * size, in, size);
            write(inverseStd, gIdx * d, inv, d);
            if (l == groupsPerSample - 1) {
                write(average, (gIdx / groupsPerSample) * size, avg, size);
            }
        }
    }

    /**
     * Instance norm over the tokens of x [B, T, D] (dense FLOAT; per sample and channel, biased variance, no
     * affine) into {@code out} (dense, may be x): data2vec's per-block target normalisation.
     */
    public static void instanceNorm(INDArray x, double eps, INDArray out) {
        long groups = x.size(0);
        INDArray inverseStd = Buffers.scratch().obtain("targets.rstd", DataType.FLOAT, groups, x.size(2));
        instanceNormForward(x, 1, eps, out, inverseStd, out);
    }

    /** Layer norm without affine over the last axis of a dense FLOAT [N, D] matrix, into {@code out} (may be x). */
    public static void standardize(INDArray x, double eps, INDArray out) {
        layerNormForward(x, null, null, eps, out, null, null);
    }

    /**
     * BEiT's block end {@code out = r + gamma * m} from the merged [B, 2*T*D] input (residual r, FFN branch m),
     * gamma [D] broadcast over tokens; all FLOAT, input and out dense.
     */
    static void scaledResidual(INDArray merged, INDArray gamma, int tokens, INDArray out) {
        int d = (int) gamma.length();
        int td = tokens * d;
        long batch = merged.size(0);
        float[] g = vector(gamma, d);
        float[] pair = scratch(0, 2 * td);
        float[] result = scratch(1, td);
        for (long b = 0; b < batch; b++) {
            read(merged, b * 2 * td, pair, 2 * td);
            for (int t = 0; t < tokens; t++) {
                int o = t * d;
                for (int k = 0; k < d; k++) {
                    result[o + k] = pair[o + k] + g[k] * pair[td + o + k];
                }
            }
            write(out, b * td, result, td);
        }
    }

    /** {@code out[b] = merged[b, :TD] + merged[b, TD:]} for the merged [B, 2*TD] input of a data2vec block end. */
    static void halvesSum(INDArray merged, int td, INDArray out) {
        long batch = merged.size(0);
        float[] pair = scratch(0, 2 * td);
        float[] sum = scratch(1, td);
        for (long b = 0; b < batch; b++) {
            read(merged, b * 2 * td, pair, 2 * td);
            for (int i = 0; i < td; i++) {
                sum[i] = pair[i] + pair[td + i];
            }
            write(out, b * td, sum, td);
        }
    }

    /** {@code out[b, :TD] = out[b, TD:] = grad[b]}: the gradient of {@link #halvesSum} for both halves. */
    static void duplicateIntoHalves(INDArray grad, int td, INDArray out) {
        long batch = grad.size(0);
        float[] row = scratch(0, td);
        for (long b = 0; b < batch; b++) {
            read(grad, b * td, row, td);
            write(out, b * 2 * td, row, td);
            write(out, b * 2 * td + td, row, td);
        }
    }

    /** Backward of {@link #instanceNormForward}: dAverage [B, T, D] to dx [G, T, D]. */
    static void instanceNormBackward(INDArray dAverage, INDArray z, INDArray inverseStd, int groupsPerSample,
                                     INDArray dx) {
        int t = (int) z.size(1);
        instanceNormBackward(dAverage, z, inverseStd,
                new GroupLayout(z.size(0) / groupsPerSample, groupsPerSample, groupsPerSample, t, 0), dx);
    }

    /** Backward writing each group's gradient where {@code layout} puts the group (the rest of dx untouched). */
    static void instanceNormBackward(INDArray dAverage, INDArray z, INDArray inverseStd, GroupLayout layout,
                                     INDArray dx) {
        int groupsPerSample = layout.blocksUsed();
        int t = layout.tokens();
        int d = (int) z.size(2);
        long groups = layout.groups();
        int size = t * d;
        float[] dz = scratch(0, size);
        float[] zs = scratch(1, size);
        float[] out = scratch(2, size);
        float[] inv = new float[d];
        float[] m1 = new float[d];
        float[] m2 = new float[d];
        float share = 1f / groupsPerSample;
        for (long gIdx = 0; gIdx < groups; gIdx++) {
            if (gIdx % groupsPerSample == 0) {
                read(dAverage, (gIdx / groupsPerSample) * size, dz, size);
                for (int i = 0; i < size; i++) {
                    dz[i] *= share;
                }
            }
            read(z, gIdx * size, zs, size);
            read(inverseStd, gIdx * d, inv, d);
            java.util.Arrays.fill(m1, 0f);
            java.util.Arrays.fill(m2, 0f);
            for (int r = 0; r < t; r++) {
                for (int k = 0; k < d; k++) {
                    float g = dz[r * d + k];
                    m1[k] += g;
                    m2[k] += g * zs[r * d + k];
                }
            }
            for (int r = 0; r < t; r++) {
                for (int k = 0; k < d; k++) {
                    int i = r * d + k;
                    out[i] = inv[k] * (dz[i] - m1[k] / t - zs[i] * (m2[k] / t));
                }
            }
            write(dx, layout.offset(gIdx, d), out, size);
        }
    }
}
