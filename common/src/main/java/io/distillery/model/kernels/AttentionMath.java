package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The attention half of a block on [B, T*D] activations. BEiT (pre-norm, layer scale, q/v biases, relative
 * position bias): {@code x + gamma1 * attn(norm1(x))}; data2vec 2.0 (post-norm): {@code norm1(x + attn(x))}, which
 * is also BERT's attention block (q, k, v packed into one qkv projection, padded keys masked by a
 * {@link KeyPaddingMask}).
 * Parameter names are those of {@link io.distillery.model.layers.AttentionSublayer}.
 */
public final class AttentionMath implements NativeLayerMath {
    private final boolean beit;
    private final int tokens;
    private final int dim;
    private final int heads;
    private final double eps;
    private final RelPosBiasKernel relPos;

    public AttentionMath(boolean beit, int tokens, int dim, int heads, double eps, int relPosGrid) {
        this.beit = beit;
        this.tokens = tokens;
        this.dim = dim;
        this.heads = heads;
        this.eps = eps;
        this.relPos = relPosGrid > 0 ? new RelPosBiasKernel(relPosGrid, heads, tokens) : null;
    }

    private AttentionKernel kernel(long batch) {
        return new AttentionKernel(batch, tokens, heads, dim / heads);
    }

    @Override
    public INDArray forward(INDArray input, Map<String, INDArray> p, SavedTensors saved, OutputAllocator output) {
        return forward(input, p, saved, output, null);
    }

    /**
     * {@link #forward} that also hands back the attention probabilities: the kernel writes them into
     * {@code probsOut} instead of a scratch buffer, so asking costs no copy and not asking costs nothing.
     *
     * @param probsOut dense [B*H*T, T] (rows: image, head, query; columns: key), or null for the scratch buffer
     */
    public INDArray forward(
            INDArray input, Map<String, INDArray> p, SavedTensors saved, OutputAllocator output, INDArray probsOut) {
        return forward(input, p, saved, output, probsOut, null);
    }

    /**
     * {@link #forward(INDArray, Map, SavedTensors, OutputAllocator, INDArray)} with keys masked out (BERT's padding,
     * or {@link SegmentMask}'s modality segments);
     * {@code keyMask} null: every key is real. The backward pass needs no mask: a masked key's probability is 0, so
     * its score gets no gradient.
     */
    public INDArray forward(
            INDArray input,
            Map<String, INDArray> p,
            SavedTensors saved,
            OutputAllocator output,
            INDArray probsOut,
            ScoreMask keyMask) {
        long batch = input.size(0);
        long rows = batch * tokens;
        DataType type = input.dataType();
        Buffers buf = NativeLayerMath.buffers(saved);
        INDArray x = Blas.rows(input, rows, dim);
        INDArray y = x;
        if (beit) {
            y = buf.obtain("attn.y", type, rows, dim);
            LayerNormKernel.forward(x, p.get("norm1W"), p.get("norm1B"), eps, y, saved, "norm1");
        }
        INDArray qkvBias = qkvBias(p);
        INDArray qkv = buf.obtain("attn.qkv", type, rows, 3L * dim);
        LinearKernel.forward(y, p.get("qkvW"), qkvBias, qkv);
        Release.close(qkvBias);
        INDArray bias = relPos != null ? relPos.bias(p.get("relTable")) : null;
        INDArray probs;
        if (probsOut == null) {
            probs = buf.obtain("attn.probs", type, batch * heads * tokens, tokens);
        } else {
            probs = probsOut;
            Blas.requireDense(probs, "attention probabilities");
            if (probs.dataType() != type || probs.length() != batch * heads * tokens * tokens) {
                throw new IllegalArgumentException(
                        "attention probabilities need " + type + " [" + batch * heads * tokens + ", " + tokens
                                + "], got " + probs.dataType() + " " + java.util.Arrays.toString(probs.shape()));
            }
        }
        INDArray context = buf.obtain("attn.context", type, rows, dim);
        kernel(batch).forward(qkv, bias, keyMask, probs, context);
        Release.close(bias);
        INDArray output2 = output.create(type, batch, (long) tokens * dim);
        INDArray out = output2.reshape('c', rows, dim);
        if (beit) {
            INDArray attn = buf.obtain("attn.out", type, rows, dim);
            LinearKernel.forward(context, p.get("projW"), p.get("projB"), attn);
            Nd4j.exec(new BroadcastMulOp(attn, Blas.vector(p.get("gamma1")), out, 1));
            out.addi(x);
            if (saved != null) {
                saved.put("attn", attn);
            }
        } else {
            LinearKernel.forward(context, p.get("projW"), p.get("projB"), out);
            out.addi(x); // x + attn(x), normalised in place below
            LayerNormKernel.forward(out, p.get("norm1W"), p.get("norm1B"), eps, out, saved, "norm1");
        }
        if (saved != null) {
            saved.put("y", y);
            saved.put("qkv", qkv);
            saved.put("probs", probs);
            saved.put("context", context);
        }
        return output2;
    }

    @Override
    public INDArray backward(
            INDArray epsilon,
            INDArray input,
            Map<String, INDArray> p,
            Map<String, INDArray> g,
            SavedTensors saved,
            OutputAllocator inputGrad) {
        return backward(epsilon, input, p, g, saved, inputGrad, null);
    }

    /**
     * {@link #backward} when the attention probabilities of the forward pass were also read outside the layer:
     * {@code dProbs} ([B*H*T, T] dense, or null) is their gradient from there, added to the one through the context.
     */
    public INDArray backward(
            INDArray epsilon,
            INDArray input,
            Map<String, INDArray> p,
            Map<String, INDArray> g,
            SavedTensors saved,
            OutputAllocator inputGrad,
            INDArray dProbs) {
        long batch = epsilon.size(0);
        long rows = batch * tokens;
        DataType type = epsilon.dataType();
        Buffers scratch = Buffers.scratch();
        INDArray dOut = Blas.rows(epsilon, rows, dim);
        INDArray dAttn = scratch.obtain("attn.dAttn", type, rows, dim);
        if (beit) {
            dOut.mul(saved.get("attn"), dAttn);
            Blas.columnSums(dAttn, g.get("gamma1"));
            Nd4j.exec(new BroadcastMulOp(dOut, Blas.vector(p.get("gamma1")), dAttn, 1));
        } else {
            LayerNormKernel.backward(
                    dOut, saved.norm("norm1"), p.get("norm1W"), g.get("norm1W"), g.get("norm1B"), dAttn);
        }
        INDArray dContext = scratch.obtain("attn.dContext", type, rows, dim);
        LinearKernel.backward(dAttn, saved.get("context"), p.get("projW"), g.get("projW"), g.get("projB"), dContext);
        INDArray dQkv = scratch.obtain("attn.dQkv", type, rows, 3L * dim);
        INDArray dScores = scratch.obtain("attn.dScores", type, batch * heads * tokens, tokens);
        INDArray biasGrad = kernel(batch)
                .backward(dContext, saved.get("qkv"), saved.get("probs"), dProbs, dScores, dQkv, relPos != null);
        if (relPos != null) {
            relPos.backward(biasGrad, g.get("relTable"));
            Release.close(biasGrad);
        }
        INDArray dBias = beit ? scratch.obtain("attn.dBias", type, 3L * dim) : g.get("qkvB");
        INDArray dInput = inputGrad.create(type, batch, (long) tokens * dim);
        INDArray dx = dInput.reshape('c', rows, dim);
        LinearKernel.backward(dQkv, saved.get("y"), p.get("qkvW"), g.get("qkvW"), dBias, dx);
        if (beit) {
            assignPart(g.get("qBias"), dBias, 0);
            assignPart(g.get("vBias"), dBias, 2L * dim);
            LayerNormKernel.backward(dx, saved.norm("norm1"), p.get("norm1W"), g.get("norm1W"), g.get("norm1B"), dx);
            dx.addi(dOut); // the residual path
        } else {
            dx.addi(dAttn); // post-norm: both paths start from d(x + attn)
        }
        return dInput;
    }

    /** BEiT's qkv bias is [q_bias, 0, v_bias] (no key bias); data2vec's is one parameter. */
    private INDArray qkvBias(Map<String, INDArray> p) {
        if (!beit) {
            return Blas.vector(p.get("qkvB")).dup();
        }
        INDArray q = Blas.vector(p.get("qBias"));
        return Nd4j.concat(0, q, Nd4j.zeros(q.dataType(), dim), Blas.vector(p.get("vBias")));
    }

    private void assignPart(INDArray target, INDArray source, long from) {
        target.assign(source.get(NDArrayIndex.interval(from, from + dim)).reshape(target.shape()));
    }
}
