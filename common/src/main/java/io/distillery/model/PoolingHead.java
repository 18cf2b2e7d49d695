package io.distillery.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * timm Beit's output with {@code global_pool='avg'}: {@code fc_norm(mean of the patch tokens)} (CLS excluded), then
 * an optional linear classifier. Not part of the trained graph: the teacher is frozen.
 */
public final class PoolingHead {
    private final INDArray normWeight;
    private final INDArray normBias;
    private final INDArray classifierWeight;
    private final INDArray classifierBias;
    private final double eps;

    /** classifier tensors may be null (num_classes = 0). */
    public PoolingHead(
            INDArray normWeight, INDArray normBias, INDArray classifierWeight, INDArray classifierBias, double eps) {
        this.normWeight = normWeight;
        this.normBias = normBias;
        this.classifierWeight = classifierWeight;
        this.classifierBias = classifierBias;
        this.eps = eps;
    }

    public INDArray normWeight() {
        return normWeight;
    }

    public INDArray normBias() {
        return normBias;
    }

    public INDArray classifierWeight() {
        return classifierWeight;
    }

    public INDArray classifierBias() {
        return classifierBias;
    }

    /** fc_norm over the patch-token mean of the last block output [B, T, D], giving [B, D]. */
    public INDArray pooled(INDArray lastBlockOutput) {
        INDArray patches = lastBlockOutput.get(
                NDArrayIndex.all(), NDArrayIndex.interval(1, lastBlockOutput.size(1)), NDArrayIndex.all());
        return norm(patches.mean(1));
    }

    /** fc_norm applied to every token, [B, T, D] (unilm's {@code return_all_tokens}). */
    public INDArray normTokens(INDArray tokens) {
        long b = tokens.size(0);
        long t = tokens.size(1);
        long d = tokens.size(2);
        return norm(tokens.reshape('c', b * t, d)).reshape('c', b, t, d);
    }

    /** Classifier logits [B, classes]; null when the model has no classifier. */
    public INDArray logits(INDArray pooled) {
        if (classifierWeight == null) {
            return null;
        }
        return pooled.mmul(classifierWeight.transpose()).addiRowVector(classifierBias);
    }

    private INDArray norm(INDArray rows) {
        INDArray mean = rows.mean(true, 1);
        INDArray centered = rows.subColumnVector(mean);
        INDArray variance = centered.mul(centered).mean(true, 1);
        INDArray scale = org.nd4j.linalg.ops.transforms.Transforms.pow(variance.add(eps), -0.5, false);
        return centered.muliColumnVector(scale).muliRowVector(normWeight).addiRowVector(normBias);
    }
}
