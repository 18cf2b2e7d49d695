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
 *
 * <p>With {@code probabilities}, the output also carries the attention probabilities, as {@link AttentionMapMath}'s
 * does for images: {@code [B, T*D + H*T*T]}, the block's output then the softmax of every head (rows: head, query;
 * columns: key; a padded key's probability is exactly 0, a padded query's row is what the encoder computed). The
 * backward pass splits the incoming gradient the same way and hands the probabilities' part to the attention kernel
 * ({@code dP = dC V^T + dP_external}).
 */
public final class MaskedAttentionMath implements NativeLayerMath {
    private final int tokens;
    private final int dim;
    private final int heads;
    private final boolean probabilities;
    private final AttentionMath attention;

    public MaskedAttentionMath(int tokens, int dim, int heads, double eps) {
        this(tokens, dim, heads, eps, false);
    }

    /** @param probabilities whether the output also carries the attention probabilities [H, T, T] per row */
    public MaskedAttentionMath(int tokens, int dim, int heads, double eps, boolean probabilities) {
        this.tokens = tokens;
        this.dim = dim;
        this.heads = heads;
        this.probabilities = probabilities;
        this.attention = new AttentionMath(false, tokens, dim, heads, eps, 0);
    }

    private long width() {
        return (long) tokens * dim;
    }

    private long probsWidth() {
        return (long) heads * tokens * tokens;
    }

    @Override
    public INDArray forward(INDArray input, Map<String, INDArray> p, SavedTensors saved, OutputAllocator output) {
        long width = width();
        if (input.size(1) != width + tokens) {
            throw new IllegalArgumentException("masked attention takes [batch, " + tokens + " x " + dim + " + " + tokens
                    + "] (tokens, then the attention mask), got " + input.size(1) + " columns");
        }
        int batch = Math.toIntExact(input.size(0));
        DataType type = input.dataType();
        int[] mask = IntegerColumns.read(input, width, tokens, "the attention mask");
        KeyPaddingMask keyMask = KeyPaddingMask.of(mask, batch, tokens, type);
        // a dense copy of the token columns: the attention keeps it as its input for the backward pass
        Buffers buf = NativeLayerMath.buffers(saved);
        INDArray x = buf.obtain("masked.x", type, batch, width);
        x.assign(input.get(NDArrayIndex.all(), NDArrayIndex.interval(0, width)));
        if (saved != null) {
            saved.put("masked.x", x);
        }
        if (!probabilities) {
            return attention.forward(x, p, saved, output, null, keyMask);
        }
        // the kernel needs dense probabilities (and the backward pass keeps them): they get their own buffer
        INDArray probs = buf.obtain("masked.probs", type, (long) batch * heads * tokens, tokens);
        INDArray out = attention.forward(
                x, p, saved, (t, shape) -> Buffers.scratch().obtain("masked.out", t, shape), probs, keyMask);
        INDArray both = output.create(type, batch, width + probsWidth());
        both.get(NDArrayIndex.all(), NDArrayIndex.interval(0, width)).assign(out);
        both.get(NDArrayIndex.all(), NDArrayIndex.interval(width, width + probsWidth()))
                .assign(probs.reshape('c', batch, probsWidth()));
        return both;
    }

    @Override
    public INDArray backward(
            INDArray epsilon,
            INDArray input,
            Map<String, INDArray> p,
            Map<String, INDArray> g,
            SavedTensors saved,
            OutputAllocator inputGrad) {
        long width = width();
        long batch = epsilon.size(0);
        DataType type = epsilon.dataType();
        Buffers scratch = Buffers.scratch();
        INDArray dOut = epsilon;
        INDArray dProbs = null;
        if (probabilities) {
            dOut = scratch.obtain("masked.dOut", type, batch, width);
            dOut.assign(epsilon.get(NDArrayIndex.all(), NDArrayIndex.interval(0, width)));
            dProbs = scratch.obtain("masked.dProbs", type, batch * heads * tokens, tokens);
            dProbs.reshape('c', batch, probsWidth())
                    .assign(epsilon.get(NDArrayIndex.all(), NDArrayIndex.interval(width, width + probsWidth())));
        }
        INDArray dx = attention.backward(
                dOut, saved.get("masked.x"), p, g, saved, (t, shape) -> scratch.obtain("masked.dx", t, shape), dProbs);
        INDArray dInput = inputGrad.create(type, batch, width + tokens);
        dInput.get(NDArrayIndex.all(), NDArrayIndex.interval(0, width)).assign(dx);
        dInput.get(NDArrayIndex.all(), NDArrayIndex.interval(width, width + tokens))
                .assign(0); // the mask is data, not differentiable
        return dInput;
    }
}
