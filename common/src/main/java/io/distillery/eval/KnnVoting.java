package io.distillery.eval;

/** How the k nearest neighbours of a query vote for its class. */
public enum KnnVoting {
    /**
     * Each neighbour adds {@code exp(sim / T)} to its class: the weighted kNN of DINO (Caron et al. 2021,
     * {@code eval_knn.py}: k = 20, T = 0.07), also used to report data2vec / iBOT / MAE kNN numbers.
     */
    SIMILARITY_WEIGHTED,
    /** Each neighbour adds 1 to its class (textbook majority vote). */
    MAJORITY
}
