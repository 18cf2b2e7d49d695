package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

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
        INDArray x = Blas.rows(input, batch * tokens, dim);
        INDArray y = x;
        if (preNorm) {
            LayerNormKernel.Saved[] norm = saved != null ? new LayerNormKernel.Saved[1] : null;
            y = LayerNormKernel.forward(x, p.get("norm2W"), p.get("norm2B"), eps, norm);
            if (saved != null) {
                saved.putNorm("norm2", norm[0]);
            }
        }
        INDArray hidden = LinearKernel.forward(y, p.get("fc1W"), p.get("fc1B"));
        INDArray[] cdf = saved != null ? new INDArray[1] : null;
        INDArray activated = GeluKernel.forward(hidden, cdf);
        INDArray out = LinearKernel.forward(activated, p.get("fc2W"), p.get("fc2B"));
        if (saved != null) {
            saved.put("y", y);
            saved.put("hidden", hidden);
            saved.put("cdf", cdf[0]);
            saved.put("activated", activated);
        } else {
            Release.close(hidden, activated);
            if (y != x) {
                Release.close(y);
            }
        }
        return out.reshape('c', batch, (long) tokens * dim);
    }

    @Override
    public INDArray backward(INDArray epsilon, INDArray input, Map<String, INDArray> p, Map<String, INDArray> g,
                             SavedTensors saved) {
        long batch = epsilon.size(0);
        INDArray dOut = Blas.rows(epsilon, batch * tokens, dim);
        INDArray dActivated = LinearKernel.backward(dOut, saved.get("activated"), p.get("fc2W"), g.get("fc2W"),
                g.get("fc2B"), true);
        INDArray dHidden = GeluKernel.backwardInPlace(dActivated, saved.get("hidden"), saved.get("cdf"));
        INDArray dy = LinearKernel.backward(dHidden, saved.get("y"), p.get("fc1W"), g.get("fc1W"), g.get("fc1B"), true);
        Release.close(dHidden);
        INDArray dx = dy;
        if (preNorm) {
            dx = LayerNormKernel.backward(dy, saved.norm("norm2"), p.get("norm2W"), g.get("norm2W"), g.get("norm2B"));
            Release.close(dy);
        }
        return dx.reshape('c', batch, (long) tokens * dim);
    }
}
