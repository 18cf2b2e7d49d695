package io.distillery.model.layers;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;

/**
 * The transformer building blocks, written once in SameDiff and shared by every layer. Tokens are always
 * {@code [B, T, D]}; weights keep timm's PyTorch layout ({@code Linear.weight} is {@code [out, in]}) so checkpoints
 * load without transposes.
 */
public final class SdOps {
    private static final double INV_SQRT2 = 0.7071067811865476;

    private SdOps() {}

    /** {@code x @ w^T + b} over the last axis of a [B, T, in] tensor; {@code b} may be null. */
    public static SDVariable linear(
            SameDiff sd, SDVariable x, SDVariable w, SDVariable b, long in, long out, long tokens) {
        SDVariable flat = x.reshape(-1, in);
        SDVariable y = sd.mmul(flat, w, false, true, false);
        if (b != null) {
            y = y.add(b);
        }
        return y.reshape(-1, tokens, out);
    }

    /** LayerNorm over the channels of [B, T, D] tokens, biased variance; eps from the model config (timm: 1e-6). */
    public static SDVariable layerNorm(SameDiff sd, SDVariable x, SDVariable weight, SDVariable bias, double eps) {
        SDVariable normalized = standardize(sd, x, eps);
        if (weight == null) {
            return normalized;
        }
        return normalized.mul(weight).add(bias);
    }

    /**
     * (x - mean) / sqrt(var + eps) over the channels of [B, T, D] tokens, biased variance, no affine. The axis is
     * spelled out: SameDiff M2.1 reduces a negative axis with keepDims wrongly.
     */
    public static SDVariable standardize(SameDiff sd, SDVariable x, double eps) {
        int channels = 2;
        SDVariable centered = x.sub(x.mean(true, channels));
        SDVariable variance = sd.math.square(centered).mean(true, channels);
        return centered.mul(sd.math.rsqrt(variance.add(eps)));
    }

    /** Exact GELU, {@code 0.5 x (1 + erf(x / sqrt 2))}: the tanh approximation misses the fixtures by 6e-4. */
    public static SDVariable gelu(SameDiff sd, SDVariable x) {
        SDVariable erf = sd.math.erf(x.mul(INV_SQRT2));
        return x.mul(0.5).mul(erf.add(1.0));
    }

    /**
     * Ends a SameDiff layer. DL4J M2/M2.1 counts the error flowing into a SameDiffLayer twice
     * ({@code ExternalErrorsFunction.doDiff}), doubling every gradient below it; half of the value is passed
     * through a stop-gradient so the backward pass sees exactly one copy while the forward value is unchanged
     * (0.5 z + 0.5 z == z exactly in binary floating point). The gradient-check tests guard this.
     */
    public static SDVariable layerOutput(SameDiff sd, SDVariable z) {
        SDVariable half = z.mul(0.5);
        SDVariable frozenHalf = new StopGradient(sd, half).outputVariable();
        return half.add(frozenHalf);
    }
}
