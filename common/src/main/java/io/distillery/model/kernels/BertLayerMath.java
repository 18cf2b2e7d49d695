package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One BERT encoder layer (Hugging Face's BertLayer, post-norm) on [B, T*D] activations:
 * {@code a = norm1(x + proj(attn(qkv(x))))} (BertSelfAttention + BertSelfOutput, padded keys masked),
 * {@code y = norm2(a + fc2(GELU(fc1(a))))} (BertIntermediate + BertOutput, exact erf GELU). It is
 * {@link AttentionMath} in its post-norm form, {@link MlpMath} without pre-norm and the residual join, on the
 * parameters {@code qkvW} [3D, D] (query, key and value weights stacked), {@code qkvB} [3D], {@code projW},
 * {@code projB}, {@code norm1W}, {@code norm1B}, {@code fc1W} [I, D], {@code fc1B}, {@code fc2W} [D, I],
 * {@code fc2B}, {@code norm2W}, {@code norm2B}. Inference only for now; the attention and MLP halves already have
 * their backward passes.
 */
public final class BertLayerMath {
    private final int tokens;
    private final int dim;
    private final double eps;
    private final AttentionMath attention;
    private final MlpMath mlp;

    public BertLayerMath(int tokens, int dim, int heads, double eps) {
        this.tokens = tokens;
        this.dim = dim;
        this.eps = eps;
        this.attention = new AttentionMath(false, tokens, dim, heads, eps, 0);
        this.mlp = new MlpMath(tokens, dim, false, eps);
    }

    /**
     * @param x        the layer input [B, T*D] (not modified)
     * @param keyMask  padded keys, or null when every key is real
     * @param output   allocates the layer output [B, T*D]
     * @param probsOut receives the attention probabilities [B*H*T, T] (rows: sample, head, query), or null
     */
    public INDArray forward(
            INDArray x, Map<String, INDArray> p, KeyPaddingMask keyMask, OutputAllocator output, INDArray probsOut) {
        return forward(x, p, keyMask, output, probsOut, null);
    }

    /**
     * {@link #forward(INDArray, Map, KeyPaddingMask, OutputAllocator, INDArray)}, also copying the FFN branch
     * {@code fc2(GELU(fc1(a)))} (before the residual and norm2: data2vec's {@code ffn} targets) into {@code ffnOut}.
     *
     * @param ffnOut [B, T*D], or null
     */
    public INDArray forward(
            INDArray x,
            Map<String, INDArray> p,
            KeyPaddingMask keyMask,
            OutputAllocator output,
            INDArray probsOut,
            INDArray ffnOut) {
        Buffers buf = Buffers.scratch();
        INDArray a = attention.forward(
                x, p, null, (type, shape) -> buf.obtain("bert.attention", type, shape), probsOut, keyMask);
        INDArray m = mlp.forward(a, p, null, (type, shape) -> buf.obtain("bert.ffn", type, shape));
        if (ffnOut != null) {
            ffnOut.assign(m); // m is scratch, reused by the next layer
        }
        DataType type = x.dataType();
        long batch = x.size(0);
        INDArray out = output.create(type, batch, (long) tokens * dim);
        m.add(a, out); // BertOutput: LayerNorm(dense(intermediate) + attention_output)
        INDArray rows = out.reshape('c', batch * tokens, dim);
        LayerNormKernel.forward(rows, p.get("norm2W"), p.get("norm2B"), eps, rows, null, null);
        return out;
    }
}
