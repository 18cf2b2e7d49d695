package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
    public INDArray forward(INDArray input, Map<String, INDArray> p, SavedTensors saved) {
        INDArray pooled = patches(input).mean(1); // [B, D]
        LayerNormKernel.Saved[] norm = saved != null ? new LayerNormKernel.Saved[1] : null;
        INDArray out = LayerNormKernel.forward(pooled, p.get("normW"), p.get("normB"), eps, norm);
        Release.close(pooled);
        if (saved != null) {
            saved.putNorm("norm", norm[0]);
        }
        return out;
    }

    @Override
    public INDArray backward(INDArray epsilon, INDArray input, Map<String, INDArray> p, Map<String, INDArray> g,
                             SavedTensors saved) {
        long batch = epsilon.size(0);
        INDArray dPooled = LayerNormKernel.backward(Blas.rows(epsilon, batch, dim), saved.norm("norm"),
                p.get("normW"), g.get("normW"), g.get("normB"));
        INDArray dInput = Nd4j.zeros(input.dataType(), input.shape());
        patches(dInput).assign(dPooled.div(tokens - 1).reshape(batch, 1, dim).broadcast(batch, tokens - 1, dim));
        Release.close(dPooled);
        return dInput;
    }
}
