/**
 * Which patch tokens a masked student does not see: data2vec 2.0's inverse block masks ({@link
 * io.distillery.masking.BlockMask2d}, fairseq's {@code compute_block_mask_2d}) and MAE's random masks ({@link
 * io.distillery.masking.RandomMask}), with exactly the same number of masked tokens in every sample. A mask is a
 * pure function of (run seed, sample key, view, clone): {@link io.distillery.masking.MaskGenerator} seeds one
 * random stream per clone from SHA-256 of the four ({@link io.distillery.masking.MaskSeeds}), so reruns, retried
 * tasks and other JVMs draw identical masks in any processing order. The algorithms take their random numbers from
 * a {@link io.distillery.masking.MaskDraws} in the same order and shape as fairseq's torch calls, which lets the
 * tests replay draws recorded from fairseq itself. {@link io.distillery.masking.MaskedTokens} moves tokens between
 * the patch grid and the kept subset on ND4J arrays; the rest is plain Java. No Spark. See docs/masking.md.
 */
package io.distillery.masking;
