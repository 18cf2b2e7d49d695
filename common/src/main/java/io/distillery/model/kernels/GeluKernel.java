package io.distillery.model.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Exact GELU {@code x Phi(x)} (erf form; ND4J's own GELU ops are approximations that miss the fixtures). */
public final class GeluKernel {
    private GeluKernel() {}

    /**
     * {@code out = x Phi(x)}; {@code cdf} receives Phi(x) = 0.5 (1 + erf(x / sqrt 2)) (the backward pass needs it;
     * null for inference). All dense and distinct.
     */
    public static void forward(INDArray x, INDArray out, INDArray cdf) {
        Elementwise.of(x.dataType()).geluForward(x, out, cdf);
    }

    /**
     * {@code x += bias} per row (x [rows, bias.length], dense; the caller keeps the biased x), then {@link #forward}:
     * the same floats as the bias add and the GELU done one after the other.
     */
    public static void biasForward(INDArray x, INDArray bias, INDArray out, INDArray cdf) {
        Elementwise.of(x.dataType()).biasGeluForward(x, bias, out, cdf);
    }

    /** dL/dx = dy * (Phi(x) + x phi(x)), phi the standard normal density. Overwrites {@code dy}. */
    public static void backwardInPlace(INDArray dy, INDArray x, INDArray cdf) {
        Elementwise.of(x.dataType()).geluBackwardInPlace(dy, x, cdf);
    }
}
