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

    private FloatNorms() {}

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
    static void layerNormForward(
            INDArray x, INDArray weight, INDArray bias, double eps, INDArray out, INDArray xhat, INDArray inverseStd) {
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
                if (w == null) {
                    for (int k = 0; k < d; k++) {
                        norm[o + k] = (in[o + k] - mean) * inv;
                    }
                } else if (xhat == null) {
                    // inference: the normalised row is not kept, so one loop (the same two roundings)
                    for (int k = 0; k < d; k++) {
                        float normalised = (in[o + k] - mean) * inv;
                        y[o + k] = normalised * w[k] + b[k];
                    }
                } else {
                    for (int k = 0; k < d; k++) {
                        float normalised = (in[o + k] - mean) * inv;
                        norm[o + k] = normalised;
                        y[o + k] = normalised * w[k] + b[k];
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
    static void layerNormBackward(
            INDArray dy,
            INDArray xhat,
            INDArray inverseStd,
            INDArray weight,
            INDArray weightGrad,
            INDArray biasGrad,
            INDArray dx) {
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
    static void instanceNormForward(
            INDArray x, int groupsPerSample, double eps, INDArray z, INDArray inverseStd, INDArray average) {
        int t = (int) x.size(1);
        int d = (int) x.size(2);
        instanceNormForward(
                x,
                new GroupLayout(x.size(0) / groupsPerSample, groupsPerSample, groupsPerSample, t, 0),
                d,
                eps,
                z,
                inverseStd,
                average);
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
    static void instanceNormForward(
            INDArray x, GroupLayout layout, int d, double eps, INDArray z, INDArray inverseStd, INDArray average) {
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
            channelStatistics(in, t, d, eps, acc, mean, inv);
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

    /**
     * data2vec's targets in one pass per sample: the instance norms (over tokens, per channel) of the given blocks
     * [B, T, D] (dense FLOAT), tokens from {@code skip} on, summed in block order and divided by their count, then
     * layer-normed per token (no affine) into {@code out} [B, T - skip, D] (dense FLOAT). The same float operations
     * in the same order as {@link #instanceNorm}, an add per block, a divide and {@link #standardize}, so the bytes
     * match that sequence; each block is read once and the result written once.
     */
    public static void contextualizedTargets(java.util.List<INDArray> blocks, int skip, double eps, INDArray out) {
        contextualizedTargets(blocks, skip, eps, (b, sample, size) -> write(out, b * size, sample, size));
    }

    /** {@link #contextualizedTargets(java.util.List, int, double, INDArray)} into a heap array [B * (T - skip) * D]. */
    public static void contextualizedTargets(java.util.List<INDArray> blocks, int skip, double eps, float[] out) {
        contextualizedTargets(
                blocks,
                skip,
                eps,
                (b, sample, size) -> System.arraycopy(sample, 0, out, Math.toIntExact(b * size), size));
    }

    /** Takes sample b's finished targets ({@code size} floats). */
    private interface SampleSink {
        void accept(long b, float[] sample, int size);
    }

    private static void contextualizedTargets(java.util.List<INDArray> blocks, int skip, double eps, SampleSink sink) {
        INDArray first = blocks.get(0);
        long batch = first.size(0);
        int tokensTotal = (int) first.size(1);
        int d = (int) first.size(2);
        int t = tokensTotal - skip;
        int size = t * d;
        int k = blocks.size();
        float[] in = scratch(0, size);
        float[] sum = scratch(1, size);
        float[] mean = new float[d];
        float[] inv = new float[d];
        float[] acc = new float[d];
        for (long b = 0; b < batch; b++) {
            for (int l = 0; l < k; l++) {
                read(blocks.get(l), (b * tokensTotal + skip) * d, in, size);
                channelStatistics(in, t, d, eps, acc, mean, inv);
                // two loops rather than a select inside one: C2 does not vectorise a conditional float store
                for (int r = 0; r < t; r++) {
                    int o = r * d;
                    if (l == 0) {
                        for (int c = 0; c < d; c++) {
                            sum[o + c] = (in[o + c] - mean[c]) * inv[c];
                        }
                    } else {
                        for (int c = 0; c < d; c++) {
                            sum[o + c] += (in[o + c] - mean[c]) * inv[c];
                        }
                    }
                }
            }
            float count = k;
            for (int r = 0; r < t; r++) {
                int o = r * d;
                for (int c = 0; c < d; c++) {
                    sum[o + c] = sum[o + c] / count;
                }
                float rowMean = SUMS.sum(sum, o, d) / d;
                float squares = SUMS.centeredSquares(sum, o, d, rowMean);
                float rowInv = (float) (1.0 / Math.sqrt((double) squares / d + eps));
                for (int c = 0; c < d; c++) {
                    sum[o + c] = (sum[o + c] - rowMean) * rowInv;
                }
            }
            sink.accept(b, sum, size);
        }
    }

    /** Per-channel mean and 1 / sqrt(biased variance + eps) over the t rows of {@code in} [t, d]. */
    private static void channelStatistics(
            float[] in, int t, int d, double eps, float[] acc, float[] mean, float[] inv) {
        java.util.Arrays.fill(acc, 0f);
        for (int r = 0; r < t; r++) {
            for (int c = 0; c < d; c++) {
                acc[c] += in[r * d + c];
            }
        }
        for (int c = 0; c < d; c++) {
            mean[c] = acc[c] / t;
        }
        java.util.Arrays.fill(acc, 0f);
        for (int r = 0; r < t; r++) {
            for (int c = 0; c < d; c++) {
                float centered = in[r * d + c] - mean[c];
                acc[c] += centered * centered;
            }
        }
        for (int c = 0; c < d; c++) {
            inv[c] = (float) (1.0 / Math.sqrt(acc[c] / t + eps));
        }
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
        int td = tokens * (int) gamma.length();
        scaledResidual(merged, 0, merged, td, 2L * td, gamma, tokens, out, null);
    }

    /**
     * {@link #scaledResidual(INDArray, INDArray, int, INDArray)} from separate residual and branch arrays [B, T*D],
     * also writing {@code gamma * m} (BEiT's FFN branch, a target tensor) into {@code scaledBranch} when non-null.
     */
    static void scaledResidual(
            INDArray residual, INDArray branch, INDArray gamma, int tokens, INDArray out, INDArray scaledBranch) {
        int td = tokens * (int) gamma.length();
        scaledResidual(residual, 0, branch, 0, td, gamma, tokens, out, scaledBranch);
    }

    /** Sample b's residual starts at {@code rOffset + b * pitch} of r, its branch at {@code mOffset + b * pitch}. */
    private static void scaledResidual(
            INDArray r,
            long rOffset,
            INDArray m,
            long mOffset,
            long pitch,
            INDArray gamma,
            int tokens,
            INDArray out,
            INDArray scaledBranch) {
        int d = (int) gamma.length();
        int td = tokens * d;
        long batch = out.size(0);
        float[] g = vector(gamma, d);
        float[] res = scratch(0, td);
        float[] branch = scratch(1, td);
        float[] result = scratch(2, td);
        for (long b = 0; b < batch; b++) {
            read(r, rOffset + b * pitch, res, td);
            read(m, mOffset + b * pitch, branch, td);
            for (int t = 0; t < tokens; t++) {
                int o = t * d;
                for (int k = 0; k < d; k++) {
                    float scaled = g[k] * branch[o + k];
                    branch[o + k] = scaled;
                    result[o + k] = res[o + k] + scaled;
                }
            }
            write(out, b * td, result, td);
            if (scaledBranch != null) {
                write(scaledBranch, b * td, branch, td);
            }
        }
    }

    /** {@code out[b] = merged[b, :TD] + merged[b, TD:]} for the merged [B, 2*TD] input of a data2vec block end. */
    static void halvesSum(INDArray merged, int td, INDArray out) {
        sum(merged, 0, merged, td, 2L * td, td, out);
    }

    /** {@code out = a + b} for dense [B, TD] arrays. */
    static void sum(INDArray a, INDArray b, int td, INDArray out) {
        sum(a, 0, b, 0, td, td, out);
    }

    private static void sum(INDArray a, long aOffset, INDArray b, long bOffset, long pitch, int td, INDArray out) {
        long batch = out.size(0);
        float[] x = scratch(0, td);
        float[] y = scratch(1, td);
        for (long s = 0; s < batch; s++) {
            read(a, aOffset + s * pitch, x, td);
            read(b, bOffset + s * pitch, y, td);
            for (int i = 0; i < td; i++) {
                x[i] = x[i] + y[i];
            }
            write(out, s * td, x, td);
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
    static void instanceNormBackward(
            INDArray dAverage, INDArray z, INDArray inverseStd, int groupsPerSample, INDArray dx) {
        int t = (int) z.size(1);
        instanceNormBackward(
                dAverage,
                z,
                inverseStd,
                new GroupLayout(z.size(0) / groupsPerSample, groupsPerSample, groupsPerSample, t, 0),
                dx);
    }

    /** Backward writing each group's gradient where {@code layout} puts the group (the rest of dx untouched). */
    static void instanceNormBackward(
            INDArray dAverage, INDArray z, INDArray inverseStd, GroupLayout layout, INDArray dx) {
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
