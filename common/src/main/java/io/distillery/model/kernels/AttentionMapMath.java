package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@link AttentionMath} whose output also carries the attention probabilities: {@code [B, T*D + H*T*T]}, the
 * sublayer's output then the softmax of every head (rows: head, query; columns: key), for an attention-map loss.
 * The backward pass splits the incoming gradient the same way and hands the probabilities' part to the attention
 * kernel, which adds it to the gradient they get through the context: {@code dP = dC V^T + dP_external}.
 */
public final class AttentionMapMath implements NativeLayerMath {
    private final AttentionMath attention;
    private final int tokens;
    private final int dim;
    private final int heads;

    public AttentionMapMath(AttentionMath attention, int tokens, int dim, int heads) {
        this.attention = attention;
        this.tokens = tokens;
        this.dim = dim;
        this.heads = heads;
    }

    private long outWidth() {
        return (long) tokens * dim;
    }

    private long probsWidth() {
        return (long) heads * tokens * tokens;
    }

    @Override
    public INDArray forward(INDArray input, Map<String, INDArray> p, SavedTensors saved, OutputAllocator output) {
        long batch = input.size(0);
        DataType type = input.dataType();
        Buffers buf = NativeLayerMath.buffers(saved);
        // the kernel needs dense probabilities (and the backward pass keeps them): they get their own buffer
        INDArray probs = buf.obtain("attnmap.probs", type, batch * heads * tokens, tokens);
        INDArray out = attention.forward(
                input, p, saved, (t, shape) -> Buffers.scratch().obtain("attnmap.out", t, shape), probs);
        INDArray both = output.create(type, batch, outWidth() + probsWidth());
        both.get(NDArrayIndex.all(), NDArrayIndex.interval(0, outWidth())).assign(out);
        both.get(NDArrayIndex.all(), NDArrayIndex.interval(outWidth(), outWidth() + probsWidth()))
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
        long batch = epsilon.size(0);
        DataType type = epsilon.dataType();
        Buffers scratch = Buffers.scratch();
        INDArray dOut = scratch.obtain("attnmap.dOut", type, batch, outWidth());
        dOut.assign(epsilon.get(NDArrayIndex.all(), NDArrayIndex.interval(0, outWidth())));
        INDArray dProbs = scratch.obtain("attnmap.dProbs", type, batch * heads * tokens, tokens);
        dProbs.reshape('c', batch, probsWidth())
                .assign(epsilon.get(NDArrayIndex.all(), NDArrayIndex.interval(outWidth(), outWidth() + probsWidth())));
        return attention.backward(dOut, input, p, g, saved, inputGrad, dProbs);
    }
}
