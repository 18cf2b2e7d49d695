package io.distillery.eval;

import java.util.Arrays;

/**
 * The 0-based rank of the first correct gallery item for every query of one retrieval direction, and the summaries
 * open_clip's {@code get_clip_metrics} reports from them.
 */
public final class RetrievalRanks {

    private final int[] ranks;
    private final int gallerySize;

    RetrievalRanks(int[] ranks, int gallerySize) {
        this.ranks = ranks;
        this.gallerySize = gallerySize;
    }

    /** A copy of the ranks, one per query; 0 means the best-scored gallery item was a correct one. */
    public int[] ranks() {
        return ranks.clone();
    }

    public int queries() {
        return ranks.length;
    }

    public int gallerySize() {
        return gallerySize;
    }

    /** Recall@K: the fraction of queries with a correct item among the K best; 1 when K >= the gallery size. */
    public double recallAt(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("recall@K needs K >= 1 but K = " + k);
        }
        return (double) Arrays.stream(ranks).filter(r -> r < k).count() / ranks.length;
    }

    /** Mean of the 1-based ranks ({@code preds.mean() + 1}). */
    public double meanRank() {
        return Arrays.stream(ranks).asDoubleStream().average().orElseThrow() + 1;
    }

    /**
     * {@code floor(median(ranks)) + 1} as open_clip computes it: numpy's median (the mean of the middle two for an
     * even count) of the 0-based ranks, floored, made 1-based.
     */
    public double medianRank() {
        int[] sorted = ranks.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + (double) sorted[n / 2]) / 2;
        return Math.floor(median) + 1;
    }
}
