package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * BERT's attention block ({@link AttentionMath} in its post-norm form, {@code norm1(x + attn(x))}) with padded keys
 * masked as transformers masks them ({@link KeyPaddingMask}), as a graph layer: the input is [B, T*D + T], the
 * tokens then the attention mask (1 real, 0 pad), a MergeVertex of the stream and the graph's mask input. The
 * backward pass is AttentionMath's (a masked key's probability is 0, so its score gets no gradient); the mask
 * columns get a zero gradient.
 */
public final class MaskedAttentionMath implements NativeLayerMath {
    private final int tokens;
    private final int dim;
    private final AttentionMath attention;

    public MaskedAttentionMath(int tokens, int dim, int heads, double eps) {
        this.tokens = tokens;
        this.dim = dim;
        this.attention = new AttentionMath(false, tokens, dim, heads, eps, 0);
    }

    @Override
    public INDArray forward(INDArray input, Map<String, INDArray> p, SavedTensors saved, OutputAllocator output) {
        long width = (long) tokens * dim;
        if (input.size(1) != width + tokens) {
            throw new IllegalArgumentException("masked attention takes [batch, " + tokens + " x " + dim + " + " + tokens
                    + "] (tokens, then the attention mask), got " + input.size(1) + " columns");
        }
        int batch = Math.toIntExact(input.size(0));
        DataType type = input.dataType();
        int[] mask = IntegerColumns.read(input, width, tokens, "the attention mask");
        KeyPaddingMask keyMask = KeyPaddingMask.of(mask, batch, tokens, type);
        // a dense copy of the token columns: the attention keeps it as its input for the backward pass
        INDArray x = NativeLayerMath.buffers(saved).obtain("masked.x", type, batch, width);
        x.assign(input.get(NDArrayIndex.all(), NDArrayIndex.interval(0, width)));
        if (saved != null) {
            saved.put("masked.x", x);
        }
        return attention.forward(x, p, saved, output, null, keyMask);
    }

    @Override
    public INDArray backward(
            INDArray epsilon,
            INDArray input,
            Map<String, INDArray> p,
            Map<String, INDArray> g,
            SavedTensors saved,
            OutputAllocator inputGrad) {
        long width = (long) tokens * dim;
        Buffers scratch = Buffers.scratch();
        INDArray dx = attention.backward(
                epsilon, saved.get("masked.x"), p, g, saved, (type, shape) -> scratch.obtain("masked.dx", type, shape));
        INDArray dInput = inputGrad.create(epsilon.dataType(), epsilon.size(0), width + tokens);
        dInput.get(NDArrayIndex.all(), NDArrayIndex.interval(0, width)).assign(dx);
        dInput.get(NDArrayIndex.all(), NDArrayIndex.interval(width, width + tokens))
                .assign(0); // the mask is data, not differentiable
        return dInput;
    }
}
