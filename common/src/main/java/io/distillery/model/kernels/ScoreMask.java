package io.distillery.model.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Which keys each query may attend to, applied around the softmax of the attention scores [B*H*T, T] (rows: sample,
 * head, query; columns: key): an additive bias before it, and exact zeros for the excluded keys after it. The backward
 * pass needs nothing more: an excluded key's probability is 0, so its score gets no gradient.
 */
public interface ScoreMask {
    /** Samples the mask was built for. */
    int batch();

    /** Adds the mask's bias (0 for an allowed key, the type's lowest value for an excluded one) to the scores. */
    void addTo(INDArray scores);

    /** Sets the probabilities of excluded keys to exactly 0 (where the mask leaves a row any allowed key). */
    void zeroMasked(INDArray probs);
}
