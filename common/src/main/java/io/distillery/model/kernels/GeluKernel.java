package io.distillery.model.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Exact GELU {@code x Phi(x)} (erf form; ND4J's own GELU ops are approximations that miss the fixtures). */
public final class GeluKernel {
    private static final double INV_SQRT2 = 0.7071067811865476;
    private static final double INV_SQRT_2PI = 0.3989422804014327;

    private GeluKernel() {
    }

    /** Phi(x) = 0.5 (1 + erf(x / sqrt 2)), a new array. */
    public static INDArray cdf(INDArray x) {
        INDArray phi = x.mul(INV_SQRT2);
        Nd4j.exec(new Erf(phi, phi));
        return phi.addi(1.0).muli(0.5);
    }

    /** @return x * Phi(x) in a new array; {@code phi} (may be null) keeps Phi(x) for the backward pass */
    public static INDArray forward(INDArray x, INDArray[] phi) {
        INDArray cdf = cdf(x);
        INDArray y = x.mul(cdf);
        if (phi != null) {
            phi[0] = cdf;
        } else {
            cdf.close();
        }
        return y;
    }

    /**
     * dL/dx = dy * (Phi(x) + x phi(x)), phi the standard normal density. Overwrites {@code dy}, returns it.
     */
    public static INDArray backwardInPlace(INDArray dy, INDArray x, INDArray cdf) {
        INDArray density = x.mul(x).muli(-0.5);
        Transforms.exp(density, false);
        density.muli(x).muli(INV_SQRT_2PI).addi(cdf);
        dy.muli(density);
        density.close();
        return dy;
    }
}
