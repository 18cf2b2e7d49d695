package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * timm Beit's {@code fc_norm(mean of the patch tokens)} ({@link io.distillery.student.PooledTokens}):
 * [B, T*D] to [B, D].
 */
public final class PooledTokensMath implements NativeLayerMath {
    private final int tokens;
    private final int dim;
    private final double eps;

    public PooledTokensMath(int tokens, int dim, double eps) {
        this.tokens = tokens;
        this.dim = dim;
        this.eps = eps;
    }

    private INDArray patches(INDArray input) {
        return input.reshape(input.size(0), tokens, dim)
                .get(NDArrayIndex.all(), NDArrayIndex.interval(1, tokens), NDArrayIndex.all());
    }

    @Override
    public INDArray forward(INDArray input, Map<String, INDArray> p, SavedTensors saved, OutputAllocator output) {
        INDArray pooled = patches(input).mean(1); // [B, D]
        INDArray out = output.create(input.dataType(), input.size(0), dim);
        LayerNormKernel.forward(pooled, p.get("normW"), p.get("normB"), eps, out, saved, "norm");
        Release.close(pooled);
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
        INDArray dPooled = Buffers.scratch().obtain("pool.d", epsilon.dataType(), batch, dim);
        LayerNormKernel.backward(
                Blas.rows(epsilon, batch, dim),
                saved.norm("norm"),
                p.get("normW"),
                g.get("normW"),
                g.get("normB"),
                dPooled);
        INDArray dInput = inputGrad.create(input.dataType(), input.shape()).assign(0);
        patches(dInput).assign(dPooled.div(tokens - 1).reshape(batch, 1, dim).broadcast(batch, tokens - 1, dim));
        return dInput;
    }
}
