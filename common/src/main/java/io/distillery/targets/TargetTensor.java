package io.distillery.targets;

/** Which per-block tensor the targets are built from. The caller extracts it; the recipe records the choice. */
public enum TargetTensor {
    /**
     * The FFN branch added to the residual stream (data2vec 2.0's {@code ffn_targets}); for a layer-scaled
     * block (BEiT v2) this includes gamma_2.
     */
    FFN,
    /** The block output, i.e. the residual stream after the block ({@code end_of_block_targets}). */
    BLOCK
}
