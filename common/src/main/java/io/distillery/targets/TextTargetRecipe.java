package io.distillery.targets;

/**
 * How data2vec targets are built for text ({@link TextTargets}): from which per-layer tensor, from how many of the
 * last layers, with which epsilon, and whether the average is layer-normalised per token at the end (fairseq's
 * {@code layer_norm_targets}, which the image recipe always applies).
 */
public record TextTargetRecipe(TargetTensor tensor, int topK, double eps, boolean layerNorm) {

    public TextTargetRecipe {
        if (tensor == null) {
            throw new IllegalArgumentException("target tensor must be set (FFN or BLOCK), got null");
        }
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("eps must be positive and finite, got " + eps);
        }
    }
}
