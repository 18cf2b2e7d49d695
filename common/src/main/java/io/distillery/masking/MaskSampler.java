package io.distillery.masking;

/** A mask algorithm: one sample's mask from its random stream. Every mask it draws masks {@link #maskedCount} tokens. */
public sealed interface MaskSampler extends java.io.Serializable permits BlockMask2d, RandomMask {
    TokenMask sample(MaskDraws draws);

    /** Tokens per sample (the patch grid's size). */
    int tokens();

    /** How many tokens every mask of this sampler masks. */
    int maskedCount();
}
