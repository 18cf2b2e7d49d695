package io.distillery.model.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link Elementwise} for FLOAT with the JDK's Vector API (erf by Abramowitz and Stegun 7.1.26, absolute error below
 * 1.5e-7, so GELU's error is below 7.5e-8 |x|). exp is Cephes' expf (range reduction by ln 2, degree-6 polynomial,
 * 2^n built in the exponent bits) from plain IEEE operations, not {@code VectorOperators.EXP}: that one is an
 * SVML call once C2 compiles the loop and a scalar libm fallback before, so results changed in the last bit with
 * the JIT's state and two replicas of a teacher could write different bytes for the same image. Data moves between ND4J's off-heap buffers and
 * per-thread heap chunks that stay in cache. Loaded only through {@link Elementwise#of}.
 */
final class VectorElementwise implements Elementwise, RowSums {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int CHUNK = 1 << 14;
    private static final float INV_SQRT2 = 0.70710678f;
    private static final float INV_SQRT_2PI = 0.39894228f;
    private static final float P = 0.3275911f;
    private static final float A1 = 0.254829592f;
    private static final float A2 = -0.284496736f;
    private static final float A3 = 1.421413741f;
    private static final float A4 = -1.453152027f;
    private static final float A5 = 1.061405429f;

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 12582912f; // 1.5 * 2^23: adding and subtracting it rounds to an integer
    private static final float C1 = 1.9875691500e-4f;
    private static final float C2 = 1.3981999507e-3f;
    private static final float C3 = 8.3334519073e-3f;
    private static final float C4 = 4.1665795894e-2f;
    private static final float C5 = 1.6666665459e-1f;
    private static final float C6 = 5.0000001201e-1f;

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[3][CHUNK]);

    VectorElementwise() {}

    private static FloatPointer pointer(INDArray x) {
        if (x.dataType() != DataType.FLOAT || !Blas.isDense(x)) {
            throw new IllegalArgumentException("vector kernels need dense FLOAT arrays");
        }
        return new FloatPointer(x.data().addressPointer());
    }

    /** {@code p} moved to element {@code index} of its array (its own position is the array's start). */
    private static FloatPointer at(FloatPointer p, long base, long index) {
        return p.position(base + index);
    }

    @Override
    public void geluForward(INDArray x, INDArray out, INDArray cdf) {
        FloatPointer px = pointer(x);
        FloatPointer po = pointer(out);
        FloatPointer pc = cdf != null ? pointer(cdf) : null;
        long bx = px.position();
        long bo = po.position();
        long bc = pc != null ? pc.position() : 0;
        float[][] buf = SCRATCH.get();
        long n = x.length();
        for (long start = 0; start < n; start += CHUNK) {
            int len = (int) Math.min(CHUNK, n - start);
            at(px, bx, start).get(buf[0], 0, len);
            geluChunk(buf[0], buf[1], buf[2], len);
            at(po, bo, start).put(buf[1], 0, len);
            if (pc != null) {
                at(pc, bc, start).put(buf[2], 0, len);
            }
        }
    }

    @Override
    public void biasGeluForward(INDArray x, INDArray bias, INDArray out, INDArray cdf) {
        int width = (int) bias.length();
        float[] b = new float[width];
        pointer(bias).get(b, 0, width);
        FloatPointer px = pointer(x);
        FloatPointer po = pointer(out);
        FloatPointer pc = cdf != null ? pointer(cdf) : null;
        long bx = px.position();
        long bo = po.position();
        long bc = pc != null ? pc.position() : 0;
        float[][] buf = SCRATCH.get();
        long n = x.length();
        for (long start = 0; start < n; start += CHUNK) {
            int len = (int) Math.min(CHUNK, n - start);
            float[] chunk = buf[0];
            at(px, bx, start).get(chunk, 0, len);
            // row segments, so that the add is a plain loop C2 vectorises
            int column = (int) (start % width);
            for (int i = 0; i < len; ) {
                int segment = Math.min(len - i, width - column);
                for (int k = 0; k < segment; k++) {
                    chunk[i + k] += b[column + k];
                }
                i += segment;
                column = 0;
            }
            at(px, bx, start).put(chunk, 0, len); // the biased pre-activation: the backward pass reads it
            geluChunk(chunk, buf[1], buf[2], len);
            at(po, bo, start).put(buf[1], 0, len);
            if (pc != null) {
                at(pc, bc, start).put(buf[2], 0, len);
            }
        }
    }

    /** One flat loop, constants hoisted: C2 only keeps Vector API values in registers when all of it inlines. */
    private static void geluChunk(float[] x, float[] out, float[] cdf, int len) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        FloatVector zero = FloatVector.zero(S);
        FloatVector a2 = FloatVector.broadcast(S, A2);
        FloatVector a3 = FloatVector.broadcast(S, A3);
        FloatVector a1 = FloatVector.broadcast(S, A1);
        int i = 0;
        for (int up = S.loopBound(len); i < up; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, i);
            FloatVector z = v.mul(INV_SQRT2);
            FloatVector az = z.abs().min(9f); // erf(9) is 1 in float; keeps exp(-az^2) out of slow subnormals
            FloatVector t = one.div(az.fma(P, 1f));
            FloatVector poly = t.fma(A5, A4).fma(t, a3).fma(t, a2).fma(t, a1).mul(t);
            FloatVector erfAbs = one.sub(poly.mul(exp(az.mul(az).neg())));
            FloatVector erf = erfAbs.blend(erfAbs.neg(), z.compare(VectorOperators.LT, zero));
            FloatVector phi = erf.add(1f).mul(0.5f);
            phi.intoArray(cdf, i);
            v.mul(phi).intoArray(out, i);
        }
        for (; i < len; i++) {
            float phi = 0.5f * (1f + erfScalar(x[i] * INV_SQRT2));
            cdf[i] = phi;
            out[i] = x[i] * phi;
        }
    }

    @Override
    public void geluBackwardInPlace(INDArray dy, INDArray x, INDArray cdf) {
        FloatPointer pd = pointer(dy);
        FloatPointer px = pointer(x);
        FloatPointer pc = pointer(cdf);
        long bd = pd.position();
        long bx = px.position();
        long bc = pc.position();
        float[][] buf = SCRATCH.get();
        long n = x.length();
        for (long start = 0; start < n; start += CHUNK) {
            int len = (int) Math.min(CHUNK, n - start);
            at(pd, bd, start).get(buf[0], 0, len);
            at(px, bx, start).get(buf[1], 0, len);
            at(pc, bc, start).get(buf[2], 0, len);
            float[] d = buf[0];
            float[] xs = buf[1];
            float[] c = buf[2];
            int i = 0;
            for (int up = S.loopBound(len); i < up; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, xs, i);
                FloatVector clamped = v.max(-13f).min(13f); // phi(13) ~ 1e-37: avoids subnormal exp results
                FloatVector density = exp(clamped.mul(clamped).mul(-0.5f)).mul(INV_SQRT_2PI);
                FloatVector slope = density.fma(v, FloatVector.fromArray(S, c, i));
                FloatVector.fromArray(S, d, i).mul(slope).intoArray(d, i);
            }
            for (; i < len; i++) {
                float clamped = Math.max(-13f, Math.min(13f, xs[i]));
                float density = expScalar(-0.5f * clamped * clamped) * INV_SQRT_2PI;
                d[i] *= c[i] + xs[i] * density;
            }
            at(pd, bd, start).put(d, 0, len);
        }
    }

    @Override
    public void softmaxRows(INDArray scores) {
        FloatPointer ps = pointer(scores);
        long base = ps.position();
        int cols = (int) scores.size(1);
        long rows = scores.size(0);
        int rowsPerChunk = Math.max(1, CHUNK / cols);
        float[] buf = cols <= CHUNK ? SCRATCH.get()[0] : new float[cols];
        for (long row = 0; row < rows; row += rowsPerChunk) {
            int count = (int) Math.min(rowsPerChunk, rows - row);
            int len = count * cols;
            at(ps, base, row * cols).get(buf, 0, len);
            for (int r = 0; r < count; r++) {
                softmaxRow(buf, r * cols, cols);
            }
            at(ps, base, row * cols).put(buf, 0, len);
        }
    }

    /** Full vectors plus a scalar tail: masked loads and stores are not intrinsified on JDK 17 and cost 10x. */
    @Override
    public void softmaxBackwardRows(INDArray dp, INDArray p) {
        FloatPointer pd = pointer(dp);
        FloatPointer pp = pointer(p);
        long bd = pd.position();
        long bp = pp.position();
        int cols = (int) dp.size(1);
        long rows = dp.size(0);
        int rowsPerChunk = Math.max(1, CHUNK / cols);
        float[][] buf = SCRATCH.get();
        if (cols > CHUNK) {
            buf = new float[][] {new float[cols], new float[cols]};
        }
        for (long row = 0; row < rows; row += rowsPerChunk) {
            int count = (int) Math.min(rowsPerChunk, rows - row);
            int len = count * cols;
            at(pd, bd, row * cols).get(buf[0], 0, len);
            at(pp, bp, row * cols).get(buf[1], 0, len);
            for (int r = 0; r < count; r++) {
                int o = r * cols;
                float dot = dot(buf[0], buf[1], o, cols);
                int i = 0;
                for (int up = S.loopBound(cols); i < up; i += S.length()) {
                    FloatVector g = FloatVector.fromArray(S, buf[0], o + i);
                    g.sub(dot).mul(FloatVector.fromArray(S, buf[1], o + i)).intoArray(buf[0], o + i);
                }
                for (; i < cols; i++) {
                    buf[0][o + i] = (buf[0][o + i] - dot) * buf[1][o + i];
                }
            }
            at(pd, bd, row * cols).put(buf[0], 0, len);
        }
    }

    private static void softmaxRow(float[] a, int offset, int cols) {
        int up = S.loopBound(cols);
        float max = Float.NEGATIVE_INFINITY;
        int i = 0;
        if (up > 0) {
            FloatVector m = FloatVector.fromArray(S, a, offset);
            for (i = S.length(); i < up; i += S.length()) {
                m = m.max(FloatVector.fromArray(S, a, offset + i));
            }
            max = m.reduceLanes(VectorOperators.MAX);
        }
        for (i = up; i < cols; i++) {
            max = Math.max(max, a[offset + i]);
        }
        FloatVector sums = FloatVector.zero(S);
        for (i = 0; i < up; i += S.length()) {
            FloatVector e = exp(FloatVector.fromArray(S, a, offset + i).sub(max));
            e.intoArray(a, offset + i);
            sums = sums.add(e);
        }
        float sum = lanesSum(sums);
        for (i = up; i < cols; i++) {
            float e = expScalar(a[offset + i] - max);
            a[offset + i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (i = 0; i < up; i += S.length()) {
            FloatVector.fromArray(S, a, offset + i).mul(inv).intoArray(a, offset + i);
        }
        for (i = up; i < cols; i++) {
            a[offset + i] *= inv;
        }
    }

    @Override
    public float sum(float[] a, int off, int len) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int up = S.loopBound(len); i < up; i += S.length()) {
            acc = acc.add(FloatVector.fromArray(S, a, off + i));
        }
        float s = lanesSum(acc);
        for (; i < len; i++) {
            s += a[off + i];
        }
        return s;
    }

    @Override
    public float centeredSquares(float[] a, int off, int len, float mean) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int up = S.loopBound(len); i < up; i += S.length()) {
            FloatVector c = FloatVector.fromArray(S, a, off + i).sub(mean);
            acc = c.fma(c, acc);
        }
        float s = lanesSum(acc);
        for (; i < len; i++) {
            float c = a[off + i] - mean;
            s = Math.fma(c, c, s);
        }
        return s;
    }

    @Override
    public float dot(float[] a, float[] b, int off, int len) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int up = S.loopBound(len); i < up; i += S.length()) {
            acc = FloatVector.fromArray(S, a, off + i).fma(FloatVector.fromArray(S, b, off + i), acc);
        }
        float s = lanesSum(acc);
        for (; i < len; i++) {
            s = Math.fma(a[off + i], b[off + i], s);
        }
        return s;
    }

    /**
     * The lanes' sum in a fixed order: {@code reduceLanes(ADD)} may add in another order once C2 compiles it,
     * and a result must not depend on the JIT's state.
     */
    private static float lanesSum(FloatVector v) {
        float[] lanes = new float[S.length()]; // a TLAB bump; a ThreadLocal probes Spark's crowded thread maps per row
        v.intoArray(lanes, 0);
        float s = 0f;
        for (int i = 0; i < lanes.length; i++) {
            s += lanes[i];
        }
        return s;
    }

    /** e^x for x in [-87, 88] (clamped), about 1 ulp. */
    private static FloatVector exp(FloatVector x) {
        FloatVector v = x.max(-87f).min(88f);
        FloatVector t = v.fma(LOG2E, ROUND); // its low mantissa bits hold n = round(v log2 e): 0x4B400000 + n
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.mul(-LN2_HI).add(v).add(n.mul(-LN2_LO));
        FloatVector p = r.fma(C1, C2)
                .fma(r, FloatVector.broadcast(S, C3))
                .fma(r, FloatVector.broadcast(S, C4))
                .fma(r, FloatVector.broadcast(S, C5))
                .fma(r, FloatVector.broadcast(S, C6));
        FloatVector y = p.mul(r).fma(r, r).add(1f);
        // 2^n from those bits: a float-to-int conversion is not intrinsified on JDK 17 (6x slower here)
        IntVector exponent = t.reinterpretAsInts().sub(0x4B400000 - 127).lanewise(VectorOperators.LSHL, 23);
        return y.mul(exponent.reinterpretAsFloats());
    }

    /** The same algorithm as {@link #exp(FloatVector)} for the tails. */
    static float expScalar(float x) {
        float v = Math.max(-87f, Math.min(88f, x));
        float n = Math.fma(v, LOG2E, ROUND) - ROUND;
        float r = (n * -LN2_HI + v) + n * -LN2_LO;
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r, C1, C2), r, C3), r, C4), r, C5), r, C6);
        float y = Math.fma(p * r, r, r) + 1f;
        return y * Float.intBitsToFloat(((int) n + 127) << 23);
    }

    private static float erfScalar(float x) {
        float ax = Math.min(Math.abs(x), 9f);
        float t = 1f / (1f + P * ax);
        float poly = ((((A5 * t + A4) * t + A3) * t + A2) * t + A1) * t;
        float y = 1f - poly * expScalar(-ax * ax);
        return x < 0 ? -y : y;
    }
}
