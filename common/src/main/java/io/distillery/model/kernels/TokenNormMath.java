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
    public INDArray forward(INDArray input, Map<String, INDArray> p, SavedTensors saved, OutputAllocator output) {
        long batch = input.size(0);
        long rows = batch * tokens;
        INDArray out = output.create(input.dataType(), batch, (long) tokens * dim);
        LayerNormKernel.forward(
                Blas.rows(input, rows, dim),
                p.get("normW"),
                p.get("normB"),
                eps,
                out.reshape('c', rows, dim),
                saved,
                "norm");
        return out;
    }

    @Override
    public INDArray backward(
            INDArray epsilon,
            INDArray input,
            Map<String, INDArray> p,
            Map<String, INDArray> g,
            SavedTensors saved,
            OutputAllocator inputGrad) {
        long batch = epsilon.size(0);
        long rows = batch * tokens;
        INDArray dInput = inputGrad.create(epsilon.dataType(), batch, (long) tokens * dim);
        LayerNormKernel.backward(
                Blas.rows(epsilon, rows, dim),
                saved.norm("norm"),
                p.get("normW"),
                g.get("normW"),
                g.get("normB"),
                dInput.reshape('c', rows, dim));
        return dInput;
    }
}
