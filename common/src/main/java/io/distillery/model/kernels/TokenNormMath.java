package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** LayerNorm of every token of [B, T*D] activations ({@link io.distillery.model.layers.TokenLayerNorm}). */
public final class TokenNormMath implements NativeLayerMath {
    private final int tokens;
    private final int dim;
    private final double eps;

    public TokenNormMath(int tokens, int dim, double eps) {
        this.tokens = tokens;
        this.dim = dim;
        this.eps = eps;
    }

    @Override
    public INDArray forward(INDArray input, Map<String, INDArray> p, SavedTensors saved) {
        long batch = input.size(0);
        LayerNormKernel.Saved[] norm = saved != null ? new LayerNormKernel.Saved[1] : null;
        INDArray out = LayerNormKernel.forward(Blas.rows(input, batch * tokens, dim), p.get("normW"),
                p.get("normB"), eps, norm);
        if (saved != null) {
            saved.putNorm("norm", norm[0]);
        }
        return out.reshape('c', batch, (long) tokens * dim);
    }

    @Override
    public INDArray backward(INDArray epsilon, INDArray input, Map<String, INDArray> p, Map<String, INDArray> g,
                             SavedTensors saved) {
        long batch = epsilon.size(0);
        INDArray dx = LayerNormKernel.backward(Blas.rows(epsilon, batch * tokens, dim), saved.norm("norm"),
                p.get("normW"), g.get("normW"), g.get("normB"));
        return dx.reshape('c', batch, (long) tokens * dim);
    }
}
