package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The FFN branch {@code fc2(GELU(fc1(y)))} on [B, T*D] activations, {@code y = norm2(x)} for BEiT (pre-norm) and
 * {@code y = x} for data2vec 2.0. Parameter names are those of {@link io.distillery.model.layers.MlpSublayer}.
 */
public final class MlpMath implements NativeLayerMath {
    private final int tokens;
    private final int dim;
    private final boolean preNorm;
    private final double eps;

    public MlpMath(int tokens, int dim, boolean preNorm, double eps) {
        this.tokens = tokens;
        this.dim = dim;
        this.preNorm = preNorm;
        this.eps = eps;
    }

    @Override
    public INDArray forward(INDArray input, Map<String, INDArray> p, SavedTensors saved) {
        long batch = input.size(0);
        long rows = batch * tokens;
        INDArray x = Blas.rows(input, rows, dim);
        INDArray y = x;
        if (preNorm) {
            LayerNormKernel.Saved[] norm = saved != null ? new LayerNormKernel.Saved[1] : null;
            y = LayerNormKernel.forward(x, p.get("norm2W"), p.get("norm2B"), eps, norm);
            if (saved != null) {
                saved.putNorm("norm2", norm[0]);
            }
        }
        INDArray hidden = LinearKernel.forward(y, p.get("fc1W"), p.get("fc1B"));
        INDArray cdf = Nd4j.createUninitialized(hidden.dataType(), hidden.shape());
        INDArray activated = Nd4j.createUninitialized(hidden.dataType(), hidden.shape());
        GeluKernel.forward(hidden, activated, cdf);
        INDArray out = Nd4j.createUninitialized(input.dataType(), batch, (long) tokens * dim);
        LinearKernel.forward(activated, p.get("fc2W"), p.get("fc2B"), out.reshape('c', rows, dim));
        if (saved != null) {
            saved.put("y", y);
            saved.put("hidden", hidden);
            saved.put("cdf", cdf);
            saved.put("activated", activated);
        } else {
            Release.close(hidden, activated, cdf);
            if (y != x) {
                Release.close(y);
            }
        }
        return out;
    }

    @Override
    public INDArray backward(INDArray epsilon, INDArray input, Map<String, INDArray> p, Map<String, INDArray> g,
                             SavedTensors saved) {
        long batch = epsilon.size(0);
        long rows = batch * tokens;
        INDArray dOut = Blas.rows(epsilon, rows, dim);
        INDArray dHidden = LinearKernel.backward(dOut, saved.get("activated"), p.get("fc2W"), g.get("fc2W"),
                g.get("fc2B"));
        GeluKernel.backwardInPlace(dHidden, saved.get("hidden"), saved.get("cdf"));
        INDArray dInput = Nd4j.createUninitialized(input.dataType(), batch, (long) tokens * dim);
        INDArray dx = dInput.reshape('c', rows, dim);
        LinearKernel.backward(dHidden, saved.get("y"), p.get("fc1W"), g.get("fc1W"), g.get("fc1B"), dx);
        Release.close(dHidden);
        if (preNorm) {
            LayerNormKernel.backward(dx, saved.norm("norm2"), p.get("norm2W"), g.get("norm2W"), g.get("norm2B"), dx);
        }
        return dInput;
    }
}
