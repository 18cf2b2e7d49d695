package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
        long rows = batch * tokens;
        INDArray output = Nd4j.createUninitialized(input.dataType(), batch, (long) tokens * dim);
        LayerNormKernel.Saved[] norm = saved != null ? new LayerNormKernel.Saved[1] : null;
        LayerNormKernel.forward(Blas.rows(input, rows, dim), p.get("normW"), p.get("normB"), eps,
                output.reshape('c', rows, dim), norm);
        if (saved != null) {
            saved.putNorm("norm", norm[0]);
        }
        return output;
    }

    @Override
    public INDArray backward(INDArray epsilon, INDArray input, Map<String, INDArray> p, Map<String, INDArray> g,
                             SavedTensors saved) {
        long batch = epsilon.size(0);
        long rows = batch * tokens;
        INDArray dInput = Nd4j.createUninitialized(epsilon.dataType(), batch, (long) tokens * dim);
        LayerNormKernel.backward(Blas.rows(epsilon, rows, dim), saved.norm("norm"), p.get("normW"), g.get("normW"),
                g.get("normB"), dInput.reshape('c', rows, dim));
        return dInput;
    }
}
