package io.distillery.masking;

/**
 * A masked student's mask settings ({@code student.mask { ratio, kind, block-size, prob-adjust, clones }}),
 * validated on construction. The defaults are data2vec 2.0's base image recipe
 * (examples/data2vec/config/v2/base_images_only_task.yaml: {@code mask_prob 0.8, inverse_mask true,
 * mask_length 3, mask_prob_adjust 0.07, clone_batch 16}).
 *
 * @param ratio      fraction of the patch tokens masked, in (0, 1); every sample masks exactly {@link
 *                   MaskSampler#maskedCount} tokens ({@code T - int(T * (1 - ratio))})
 * @param kind       inverse blocks or uniformly random tokens
 * @param blockSize  block side for {@link MaskKind#INVERSE_BLOCK} (at least 2); unused by {@link MaskKind#RANDOM}
 * @param probAdjust fairseq's {@code mask_prob_adjust}: extra block area drawn before the exact-count step, in
 *                   [0, 1); unused by {@link MaskKind#RANDOM}
 * @param clones     masks per (sample, view): the student sees each view {@code clones} times under different
 *                   masks against one teacher target (fairseq's {@code clone_batch})
 */
public record MaskSettings(double ratio, MaskKind kind, int blockSize, double probAdjust, int clones)
        implements java.io.Serializable {
    public static final String KEY_RATIO = "ratio";
    public static final String KEY_KIND = "kind";
    public static final String KEY_BLOCK_SIZE = "block-size";
    public static final String KEY_PROB_ADJUST = "prob-adjust";
    public static final String KEY_CLONES = "clones";

    public static final double DEFAULT_RATIO = 0.8;
    public static final MaskKind DEFAULT_KIND = MaskKind.INVERSE_BLOCK;
    public static final int DEFAULT_BLOCK_SIZE = 3;
    public static final double DEFAULT_PROB_ADJUST = 0.07;
    public static final int DEFAULT_CLONES = 16;

    public MaskSettings {
        if (!(ratio > 0 && ratio < 1)) {
            throw new IllegalArgumentException("mask " + KEY_RATIO + " must be in (0, 1), got " + ratio);
        }
        if (kind == null) {
            throw new IllegalArgumentException("mask " + KEY_KIND + " must not be null");
        }
        if (kind == MaskKind.INVERSE_BLOCK && blockSize < 2) {
            throw new IllegalArgumentException(
                    "mask " + KEY_BLOCK_SIZE + " must be at least 2 for inverse-block masks, got " + blockSize);
        }
        if (!(probAdjust >= 0 && probAdjust < 1)) {
            throw new IllegalArgumentException("mask " + KEY_PROB_ADJUST + " must be in [0, 1), got " + probAdjust);
        }
        if (clones < 1) {
            throw new IllegalArgumentException("mask " + KEY_CLONES + " must be at least 1, got " + clones);
        }
    }

    /** data2vec 2.0's base image recipe. */
    public static MaskSettings data2vec2Images() {
        return new MaskSettings(DEFAULT_RATIO, DEFAULT_KIND, DEFAULT_BLOCK_SIZE, DEFAULT_PROB_ADJUST, DEFAULT_CLONES);
    }

    /** The algorithm these settings describe on a {@code side x side} patch grid. */
    public MaskSampler sampler(int side) {
        return switch (kind) {
            case INVERSE_BLOCK -> BlockMask2d.data2vec2(side, ratio, blockSize, probAdjust);
            case RANDOM -> new RandomMask(side * side, ratio);
        };
    }
}
