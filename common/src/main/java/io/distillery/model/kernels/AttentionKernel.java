package io.distillery.model.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Multi-head scaled dot-product attention on a packed projection {@code qkv = [q | k | v]} ([B*T, 3D], heads
 * side by side inside each third, as timm's reshape(B, T, 3, H, hd) reads it). Every per-(image, head) product
 * is one gemm on offsets into the packed buffers: no split, permute or copy of q, k, v or of the context.
 */
public final class AttentionKernel {
    private final long batch;
    private final long tokens;
    private final long heads;
    private final long headDim;
    private final double scale;

    public AttentionKernel(long batch, long tokens, long heads, long headDim) {
        this.batch = batch;
        this.tokens = tokens;
        this.heads = heads;
        this.headDim = headDim;
        this.scale = 1.0 / Math.sqrt(headDim);
    }

    private long dim() {
        return heads * headDim;
    }

    private long qOffset(long b, long h) {
        return b * tokens * 3 * dim() + h * headDim;
    }

    private long scoreOffset(long b, long h) {
        return (b * heads + h) * tokens * tokens;
    }

    /**
     * @param qkv     [B*T, 3D] dense
     * @param bias    additive logits bias [H, T, T] dense (relative positions) or null
     * @param scores  receives the attention probabilities [B*H*T, T]
     * @param context receives the context [B*T, D] (heads concatenated per token)
     */
    public void forward(INDArray qkv, INDArray bias, INDArray scores, INDArray context) {
        forward(qkv, bias, null, scores, context);
    }

    /**
     * {@link #forward(INDArray, INDArray, INDArray, INDArray)} with keys masked out (BERT's attention mask,
     * or the modality segments of a multimodal stream).
     *
     * @param keyMask the excluded keys of each sample and query, or null when every key is attended to
     */
    public void forward(INDArray qkv, INDArray bias, ScoreMask keyMask, INDArray scores, INDArray context) {
        if (keyMask != null && keyMask.batch() != batch) {
            throw new IllegalArgumentException("attention mask for " + keyMask.batch() + " samples, batch of " + batch);
        }
        long d = dim();
        long t = tokens;
        for (long b = 0; b < batch; b++) {
            for (long h = 0; h < heads; h++) {
                long q = qOffset(b, h);
                Blas.gemm(
                        false,
                        true,
                        t,
                        t,
                        headDim,
                        scale,
                        qkv,
                        q,
                        3 * d,
                        qkv,
                        q + d,
                        3 * d,
                        0,
                        scores,
                        scoreOffset(b, h),
                        t);
            }
        }
        if (bias != null) {
            scores.reshape('c', batch, heads * t * t).addiRowVector(bias.reshape(heads * t * t));
        }
        if (keyMask != null) {
            keyMask.addTo(scores);
        }
        Elementwise.of(scores.dataType()).softmaxRows(scores);
        if (keyMask != null) {
            keyMask.zeroMasked(scores);
        }
        for (long b = 0; b < batch; b++) {
            for (long h = 0; h < heads; h++) {
                Blas.gemm(
                        false,
                        false,
                        t,
                        headDim,
                        t,
                        1,
                        scores,
                        scoreOffset(b, h),
                        t,
                        qkv,
                        qOffset(b, h) + 2 * d,
                        3 * d,
                        0,
                        context,
                        b * t * d + h * headDim,
                        d);
            }
        }
    }

    /**
     * @param dContext dL/dcontext [B*T, D] dense
     * @param dScores  scratch [B*H*T, T]
     * @param dQkv     receives dL/dqkv [B*T, 3D]
     * @return dL/dbias summed over the batch, [H*T*T] (a new array), when {@code biasGrad}; else null
     */
    public INDArray backward(
            INDArray dContext, INDArray qkv, INDArray probs, INDArray dScores, INDArray dQkv, boolean biasGrad) {
        return backward(dContext, qkv, probs, null, dScores, dQkv, biasGrad);
    }

    /**
     * {@link #backward(INDArray, INDArray, INDArray, INDArray, INDArray, boolean)} when the probabilities are also
     * read outside the layer (an attention-map loss): {@code dProbs} ([B*H*T, T], or null) is added to the gradient
     * that reaches them through the context, before the softmax's backward pass.
     */
    public INDArray backward(
            INDArray dContext,
            INDArray qkv,
            INDArray probs,
            INDArray dProbs,
            INDArray dScores,
            INDArray dQkv,
            boolean biasGrad) {
        long d = dim();
        long t = tokens;
        for (long b = 0; b < batch; b++) {
            for (long h = 0; h < heads; h++) {
                long q = qOffset(b, h);
                long s = scoreOffset(b, h);
                long c = b * t * d + h * headDim;
                // dP = dC V^T ; dV = P^T dC
                Blas.gemm(false, true, t, t, headDim, 1, dContext, c, d, qkv, q + 2 * d, 3 * d, 0, dScores, s, t);
                Blas.gemm(true, false, t, headDim, t, 1, probs, s, t, dContext, c, d, 0, dQkv, q + 2 * d, 3 * d);
            }
        }
        if (dProbs != null) {
            dScores.addi(dProbs);
        }
        // softmax: dS = P * (dP - rowsum(dP * P))
        Elementwise.of(dScores.dataType()).softmaxBackwardRows(dScores, probs);
        INDArray bias = null;
        if (biasGrad) {
            bias = Nd4j.createUninitialized(dScores.dataType(), heads * t * t);
            Blas.columnSums(dScores.reshape('c', batch, heads * t * t), bias);
        }
        for (long b = 0; b < batch; b++) {
            for (long h = 0; h < heads; h++) {
                long q = qOffset(b, h);
                long s = scoreOffset(b, h);
                // S = scale Q K^T: dQ = scale dS K ; dK = scale dS^T Q
                Blas.gemm(false, false, t, headDim, t, scale, dScores, s, t, qkv, q + d, 3 * d, 0, dQkv, q, 3 * d);
                Blas.gemm(true, false, t, headDim, t, scale, dScores, s, t, qkv, q, 3 * d, 0, dQkv, q + d, 3 * d);
            }
        }
        return bias;
    }
}
