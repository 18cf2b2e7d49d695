package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
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
    public INDArray forward(INDArray input, Map<String, INDArray> p, SavedTensors saved, OutputAllocator output) {
        long batch = input.size(0);
        long rows = batch * tokens;
        long hidden = p.get("fc1W").size(0);
        DataType type = input.dataType();
        Buffers buf = NativeLayerMath.buffers(saved);
        INDArray x = Blas.rows(input, rows, dim);
        INDArray y = x;
        if (preNorm) {
            y = buf.obtain("mlp.y", type, rows, dim);
            LayerNormKernel.forward(x, p.get("norm2W"), p.get("norm2B"), eps, y, saved, "norm2");
        }
        INDArray pre = buf.obtain("mlp.pre", type, rows, hidden);
        LinearKernel.forward(y, p.get("fc1W"), null, pre);
        INDArray cdf = saved != null ? buf.obtain("mlp.cdf", type, rows, hidden) : null;
        INDArray activated = buf.obtain("mlp.act", type, rows, hidden);
        GeluKernel.biasForward(pre, p.get("fc1B"), activated, cdf); // fc1's bias added on the way into the GELU
        INDArray out = output.create(type, batch, (long) tokens * dim);
        LinearKernel.forward(activated, p.get("fc2W"), p.get("fc2B"), out.reshape('c', rows, dim));
        if (saved != null) {
            saved.put("y", y);
            saved.put("pre", pre);
            saved.put("cdf", cdf);
            saved.put("act", activated);
        }
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
        INDArray pre = saved.get("pre");
        INDArray dOut = Blas.rows(epsilon, rows, dim);
        INDArray dHidden = Buffers.scratch().obtain("mlp.dHidden", pre.dataType(), pre.shape());
        LinearKernel.backward(dOut, saved.get("act"), p.get("fc2W"), g.get("fc2W"), g.get("fc2B"), dHidden);
        GeluKernel.backwardInPlace(dHidden, pre, saved.get("cdf"));
        INDArray dInput = inputGrad.create(epsilon.dataType(), batch, (long) tokens * dim);
        INDArray dx = dInput.reshape('c', rows, dim);
        LinearKernel.backward(dHidden, saved.get("y"), p.get("fc1W"), g.get("fc1W"), g.get("fc1B"), dx);
        if (preNorm) {
            LayerNormKernel.backward(dx, saved.norm("norm2"), p.get("norm2W"), g.get("norm2W"), g.get("norm2B"), dx);
        }
        return dInput;
    }
}
