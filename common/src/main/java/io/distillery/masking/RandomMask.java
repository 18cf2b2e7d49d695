package io.distillery.masking;

import java.util.Arrays;

/**
 * MAE's random masking as data2vec 2.0 writes it ({@code random_masking} in fairseq's
 * examples/data2vec/models/modalities/base.py): one uniform noise value per token ({@code torch.rand}), the
 * {@code int(T * (1 - ratio))} tokens with the smallest noise are kept, the rest masked. The kept count uses the
 * same expression as {@link BlockMask2d}'s inverse masks, so both kinds mask the same number of tokens at a given
 * ratio. Equal noise values go to the lower index (PyTorch's argsort leaves their order unspecified).
 *
 * @param tokens tokens per sample
 * @param ratio  fraction to mask, in (0, 1)
 */
public record RandomMask(int tokens, double ratio) implements MaskSampler {
    public RandomMask {
        if (tokens < 1) {
            throw new IllegalArgumentException("mask token count must be at least 1, got " + tokens);
        }
        if (!(ratio > 0 && ratio < 1)) {
            throw new IllegalArgumentException("mask ratio must be in (0, 1), got " + ratio);
        }
    }

    private int keptCount() {
        return (int) (tokens * (1 - ratio));
    }

    @Override
    public int maskedCount() {
        return tokens - keptCount();
    }

    @Override
    public TokenMask sample(MaskDraws draws) {
        double[] noise = new double[tokens];
        Integer[] order = new Integer[tokens];
        for (int t = 0; t < tokens; t++) {
            noise[t] = draws.nextUniform();
            order[t] = t;
        }
        Arrays.sort(order, (a, b) -> {
            int byNoise = Double.compare(noise[a], noise[b]);
            return byNoise != 0 ? byNoise : Integer.compare(a, b);
        });
        boolean[] masked = new boolean[tokens];
        Arrays.fill(masked, true);
        for (int i = 0; i < keptCount(); i++) {
            masked[order[i]] = false;
        }
        return new TokenMask(masked);
    }
}
