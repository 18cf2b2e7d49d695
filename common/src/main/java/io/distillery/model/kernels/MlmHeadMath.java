package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Hugging Face's {@code BertLMPredictionHead} on [B, T*D] activations: {@code logits = LayerNorm(GELU(x W^T + b))
 * Wd^T + bias}, exact erf GELU, giving [B, T*V]. Parameters: {@code denseW} [D, D], {@code denseB}, {@code normW},
 * {@code normB} [D], {@code decoderW} [V, D], {@code decoderB} [V].
 */
public final class MlmHeadMath implements NativeLayerMath {
    private final int tokens;
    private final int dim;
    private final double eps;

    public MlmHeadMath(int tokens, int dim, double eps) {
        this.tokens = tokens;
        this.dim = dim;
        this.eps = eps;
    }

    @Override
    public INDArray forward(INDArray input, Map<String, INDArray> p, SavedTensors saved, OutputAllocator output) {
        long batch = input.size(0);
        long rows = batch * tokens;
        long vocab = p.get("decoderW").size(0);
        DataType type = input.dataType();
        Buffers buf = NativeLayerMath.buffers(saved);
        INDArray x = Blas.rows(input, rows, dim);
        INDArray pre = buf.obtain("mlm.pre", type, rows, dim);
        LinearKernel.forward(x, p.get("denseW"), null, pre);
        INDArray cdf = saved != null ? buf.obtain("mlm.cdf", type, rows, dim) : null;
        INDArray normed = buf.obtain("mlm.normed", type, rows, dim);
        GeluKernel.biasForward(pre, p.get("denseB"), normed, cdf);
        LayerNormKernel.forward(normed, p.get("normW"), p.get("normB"), eps, normed, saved, "norm");
        INDArray out = output.create(type, batch, tokens * vocab);
        LinearKernel.forward(normed, p.get("decoderW"), p.get("decoderB"), out.reshape('c', rows, vocab));
        if (saved != null) {
            saved.put("x", x);
            saved.put("pre", pre);
            saved.put("cdf", cdf);
            saved.put("normed", normed);
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
        long vocab = p.get("decoderW").size(0);
        DataType type = epsilon.dataType();
        INDArray dHidden = Buffers.scratch().obtain("mlm.dHidden", type, rows, dim);
        LinearKernel.backward(
                Blas.rows(epsilon, rows, vocab),
                saved.get("normed"),
                p.get("decoderW"),
                g.get("decoderW"),
                g.get("decoderB"),
                dHidden);
        LayerNormKernel.backward(dHidden, saved.norm("norm"), p.get("normW"), g.get("normW"), g.get("normB"), dHidden);
        GeluKernel.backwardInPlace(dHidden, saved.get("pre"), saved.get("cdf"));
        INDArray dInput = inputGrad.create(type, batch, (long) tokens * dim);
        LinearKernel.backward(
                dHidden,
                saved.get("x"),
                p.get("denseW"),
                g.get("denseW"),
                g.get("denseB"),
                dInput.reshape('c', rows, dim));
        return dInput;
    }
}
