package io.distillery.masking;

import java.util.Arrays;

/**
 * One sample's mask over its patch tokens (row-major on the patch grid): {@code true} marks a token the student
 * encoder does not see (fairseq's mask value 1). Immutable.
 */
public final class TokenMask {
    private final boolean[] masked;
    private final int maskedCount;

    public TokenMask(boolean[] masked) {
        this.masked = masked.clone();
        int count = 0;
        for (boolean m : masked) {
            if (m) {
                count++;
            }
        }
        this.maskedCount = count;
    }

    /** A mask from a string of {@code 0} and {@code 1} (as the fixtures and {@link #toString} write it). */
    public static TokenMask parse(String bits) {
        boolean[] masked = new boolean[bits.length()];
        for (int i = 0; i < masked.length; i++) {
            char c = bits.charAt(i);
            if (c != '0' && c != '1') {
                throw new IllegalArgumentException("mask bits must be 0 or 1, found '" + c + "' at " + i);
            }
            masked[i] = c == '1';
        }
        return new TokenMask(masked);
    }

    public int tokens() {
        return masked.length;
    }

    public boolean isMasked(int token) {
        return masked[token];
    }

    public int maskedCount() {
        return maskedCount;
    }

    public int keptCount() {
        return masked.length - maskedCount;
    }

    /** Indices of the tokens the encoder sees, ascending. */
    public int[] keptIndices() {
        return indices(false, keptCount());
    }

    /** Indices of the masked tokens, ascending. */
    public int[] maskedIndices() {
        return indices(true, maskedCount);
    }

    private int[] indices(boolean value, int count) {
        int[] out = new int[count];
        int n = 0;
        for (int i = 0; i < masked.length; i++) {
            if (masked[i] == value) {
                out[n++] = i;
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenMask other && Arrays.equals(masked, other.masked);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(masked);
    }

    /** The mask as a string of {@code 0} (kept) and {@code 1} (masked). */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(masked.length);
        for (boolean m : masked) {
            s.append(m ? '1' : '0');
        }
        return s.toString();
    }
}
