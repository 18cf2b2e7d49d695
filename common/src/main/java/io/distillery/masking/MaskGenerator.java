package io.distillery.masking;

import java.util.ArrayList;
import java.util.List;

/**
 * The masks of a masked student: for each (sample, view), {@code clones} masks, each a pure function of (run seed,
 * sample key, view, clone) through its own random stream ({@link MaskSeeds}). Thread-safe (no state);
 * serializable, so Spark tasks can capture it.
 */
public final class MaskGenerator implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final MaskSettings settings;
    private final MaskSampler sampler;

    /** @param gridSide patches per side of the student's input (224 / 16 = 14 for ViT-B/16) */
    public MaskGenerator(MaskSettings settings, int gridSide) {
        this.settings = settings;
        this.sampler = settings.sampler(gridSide);
    }

    public MaskSettings settings() {
        return settings;
    }

    /** Patch tokens per sample. */
    public int tokens() {
        return sampler.tokens();
    }

    /** Masked tokens in every mask this generator draws. */
    public int maskedCount() {
        return sampler.maskedCount();
    }

    /** Tokens the student encoder sees per mask. */
    public int keptCount() {
        return sampler.tokens() - sampler.maskedCount();
    }

    /** The mask of one clone. */
    public TokenMask mask(long runSeed, String sampleKey, int view, int clone) {
        if (clone < 0 || clone >= settings.clones()) {
            throw new IllegalArgumentException("clone index must be in [0, " + settings.clones() + "), got " + clone);
        }
        return sampler.sample(new SeededMaskDraws(MaskSeeds.seed(runSeed, sampleKey, view, clone)));
    }

    /** The masks of all clones of one view, in clone order (fairseq's {@code repeat_interleave} order). */
    public List<TokenMask> masks(long runSeed, String sampleKey, int view) {
        List<TokenMask> out = new ArrayList<>(settings.clones());
        for (int c = 0; c < settings.clones(); c++) {
            out.add(mask(runSeed, sampleKey, view, c));
        }
        return out;
    }
}
