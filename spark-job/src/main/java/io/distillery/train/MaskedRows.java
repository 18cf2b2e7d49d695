package io.distillery.train;

import io.distillery.masking.MaskGenerator;
import java.io.Serializable;

/**
 * How the batcher turns one feature row into a masked student's examples ({@code student.mask}): {@code clones}
 * examples in a row (fairseq's {@code repeat_interleave} order), each with the mask of (run seed, key, view, clone)
 * ({@link io.distillery.masking.MaskInput}, with the seed of its mask-token noise). The batch travels compact (the
 * row's pixels and stored target once, {@link CompactMaskedBatch}); the worker gathers each clone's labels at its
 * masked tokens. Serialisable (it travels in the batcher's closure).
 *
 * @param masks        the masks of the student's patch grid (its settings give the clones)
 * @param runSeed      the job's {@code seed}
 * @param targetTokens tokens of the stored target per row
 * @param skipTokens   leading target tokens that are not patches (1: the target includes CLS; the decoder predicts
 *                     patches only)
 * @param tokenWidth   the target's width D_t
 */
record MaskedRows(MaskGenerator masks, long runSeed, int targetTokens, int skipTokens, int tokenWidth)
        implements Serializable {

    MaskedRows {
        if (targetTokens - skipTokens != masks.tokens()) {
            throw new IllegalArgumentException("the target has " + targetTokens + " tokens (" + skipTokens
                    + " not patches) but the masks cover " + masks.tokens() + " patches");
        }
    }

    int clones() {
        return masks.settings().clones();
    }
}
