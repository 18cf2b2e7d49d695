package io.distillery.masking;

import java.util.SplittableRandom;

/** {@link MaskDraws} from a {@link SplittableRandom} (integers by {@code nextInt(bound)}, uniforms by {@code nextDouble}). */
public final class SeededMaskDraws implements MaskDraws {
    private final SplittableRandom random;

    public SeededMaskDraws(long seed) {
        this.random = new SplittableRandom(seed);
    }

    @Override
    public int nextIndex(int bound) {
        return random.nextInt(bound);
    }

    @Override
    public double nextUniform() {
        return random.nextDouble();
    }
}
