package io.distillery.targets;

/**
 * How contextualized targets are built: from which per-block tensor, over which tokens, from how many of the
 * last blocks, and with which normalisation epsilon (fairseq uses 1e-5 for both target normalisations).
 */
public record TargetRecipe(TargetTensor tensor, TargetTokens tokens, int topK, double eps) {

    public static final double DEFAULT_EPS = 1e-5;

    public TargetRecipe {
        if (tensor == null) {
            throw new IllegalArgumentException("target tensor must be set (FFN or BLOCK), got null");
        }
        if (tokens == null) {
            throw new IllegalArgumentException("target tokens must be set (PATCHES or ALL), got null");
        }
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        }
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("eps must be positive and finite, got " + eps);
        }
    }

    /** data2vec 2.0's image recipe: FFN outputs, patch tokens, eps 1e-5, averaged over the last {@code topK}. */
    public static TargetRecipe defaults(int topK) {
        return new TargetRecipe(TargetTensor.FFN, TargetTokens.PATCHES, topK, DEFAULT_EPS);
    }
}
