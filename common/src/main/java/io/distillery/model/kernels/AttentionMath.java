package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The attention half of a block on [B, T*D] activations. BEiT (pre-norm, layer scale, q/v biases, relative
 * position bias): {@code x + gamma1 * attn(norm1(x))}; data2vec 2.0 (post-norm): {@code norm1(x + attn(x))}.
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
        this.relPos = relPosGrid > 0 ? new RelPosBiasKernel(relPosGrid, heads) : null;
    }

    private AttentionKernel kernel(long batch) {
        return new AttentionKernel(batch, tokens, heads, dim / heads);
    }

    @Override
    public INDArray forward(INDArray input, Map<String, INDArray> p, SavedTensors saved) {
        long batch = input.size(0);
        long rows = batch * tokens;
        INDArray x = Blas.rows(input, rows, dim);
        INDArray y = x;
        if (beit) {
            LayerNormKernel.Saved[] norm = saved != null ? new LayerNormKernel.Saved[1] : null;
            y = LayerNormKernel.forward(x, p.get("norm1W"), p.get("norm1B"), eps, norm);
            if (saved != null) {
                saved.putNorm("norm1", norm[0]);
            }
        }
        INDArray qkvBias = qkvBias(p);
        INDArray qkv = LinearKernel.forward(y, p.get("qkvW"), qkvBias);
        Release.close(qkvBias);
        INDArray bias = relPos != null ? relPos.bias(p.get("relTable")) : null;
        INDArray[] probs = saved != null ? new INDArray[1] : null;
        INDArray context = kernel(batch).forward(qkv, bias, probs);
        Release.close(bias);
        INDArray output = Nd4j.createUninitialized(input.dataType(), batch, (long) tokens * dim);
        INDArray out = output.reshape('c', rows, dim);
        INDArray attn = null;
        if (beit) {
            attn = LinearKernel.forward(context, p.get("projW"), p.get("projB"));
            Nd4j.exec(new BroadcastMulOp(attn, vector(p.get("gamma1")), out, 1));
            out.addi(x);
        } else {
            LinearKernel.forward(context, p.get("projW"), p.get("projB"), out);
            out.addi(x); // x + attn(x), normalised in place below
            LayerNormKernel.Saved[] norm = saved != null ? new LayerNormKernel.Saved[1] : null;
            LayerNormKernel.forward(out, p.get("norm1W"), p.get("norm1B"), eps, out, norm);
            if (saved != null) {
                saved.putNorm("norm1", norm[0]);
            }
        }
        if (saved != null) {
            saved.put("y", y);
            saved.put("qkv", qkv);
            saved.put("probs", probs[0]);
            saved.put("context", context);
            if (attn != null) {
                saved.put("attn", attn);
            }
        } else {
            Release.close(qkv, context, attn);
            if (y != x) {
                Release.close(y);
            }
        }
        return output;
    }

    @Override
    public INDArray backward(INDArray epsilon, INDArray input, Map<String, INDArray> p, Map<String, INDArray> g,
                             SavedTensors saved) {
        long batch = epsilon.size(0);
        long rows = batch * tokens;
        INDArray dOut = Blas.rows(epsilon, rows, dim);
        INDArray dAttn;
        if (beit) {
            INDArray product = dOut.mul(saved.get("attn"));
            Blas.columnSums(product, g.get("gamma1"));
            Release.close(product);
            dAttn = dOut.mulRowVector(vector(p.get("gamma1")));
        } else {
            dAttn = LayerNormKernel.backward(dOut, saved.norm("norm1"), p.get("norm1W"), g.get("norm1W"),
                    g.get("norm1B"));
        }
        INDArray dContext = LinearKernel.backward(dAttn, saved.get("context"), p.get("projW"), g.get("projW"),
                g.get("projB"));
        INDArray[] biasGrad = relPos != null ? new INDArray[1] : null;
        INDArray dQkv = kernel(batch).backward(dContext, saved.get("qkv"), saved.get("probs"), biasGrad);
        Release.close(dContext);
        if (relPos != null) {
            relPos.backward(biasGrad[0], g.get("relTable"));
            Release.close(biasGrad[0]);
        }
        INDArray dBias = beit ? Nd4j.createUninitialized(dQkv.dataType(), 3L * dim) : g.get("qkvB");
        INDArray dInput = Nd4j.createUninitialized(input.dataType(), batch, (long) tokens * dim);
        INDArray dx = dInput.reshape('c', rows, dim);
        LinearKernel.backward(dQkv, saved.get("y"), p.get("qkvW"), g.get("qkvW"), dBias, dx);
        Release.close(dQkv);
        if (beit) {
            assignPart(g.get("qBias"), dBias, 0);
            assignPart(g.get("vBias"), dBias, 2L * dim);
            Release.close(dBias);
            LayerNormKernel.backward(dx, saved.norm("norm1"), p.get("norm1W"), g.get("norm1W"), g.get("norm1B"), dx);
            dx.addi(dOut); // the residual path
        } else {
            dx.addi(dAttn); // post-norm: both paths start from d(x + attn)
        }
        Release.close(dAttn);
        return dInput;
    }

    /** BEiT's qkv bias is [q_bias, 0, v_bias] (no key bias); data2vec's is one parameter. */
    private INDArray qkvBias(Map<String, INDArray> p) {
        if (!beit) {
            return vector(p.get("qkvB")).dup();
        }
        INDArray q = vector(p.get("qBias"));
        return Nd4j.concat(0, q, Nd4j.zeros(q.dataType(), dim), vector(p.get("vBias")));
    }

    private void assignPart(INDArray target, INDArray source, long from) {
        target.assign(source.get(NDArrayIndex.interval(from, from + dim)).reshape(target.shape()));
    }

    static INDArray vector(INDArray param) {
        return param.reshape(param.length());
    }
}
