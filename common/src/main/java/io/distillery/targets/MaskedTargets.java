package io.distillery.targets;

/**
 * A batch of text targets [B, T, D] (C order) with the positions they hold: padded positions are 0 and excluded
 * (their attention mask is 0), so a loss must skip them rather than regress onto the zeros.
 *
 * @param values the targets, {@code batch * tokens * dim} floats
 * @param mask   [B, T], 1 where the position is a target (a real token), 0 where it is excluded
 */
public record MaskedTargets(float[] values, int[] mask, int batch, int tokens, int dim) {

    public MaskedTargets {
        if ((long) batch * tokens * dim != values.length || (long) batch * tokens != mask.length) {
            throw new IllegalArgumentException("targets of " + values.length + " values and a mask of " + mask.length
                    + " do not fit [" + batch + ", " + tokens + ", " + dim + "]");
        }
    }

    /** Whether position {@code t} of sample {@code b} is a target. */
    public boolean included(int b, int t) {
        return mask[b * tokens + t] != 0;
    }
}
