package io.distillery.masking;

/**
 * One example's mask as a row of a masked student graph's second input ({@code mask}: {@code [B, T + 2]}, in the
 * graph's data type), the form in which masks travel through DL4J and Spark next to the pixels:
 *
 * <pre>
 *   [0, K)       the kept tokens' grid indices, ascending   (the tokens the encoder sees: fairseq's ids_keep)
 *   [K, T)       the masked tokens' indices, ascending      (where the decoder's predictions are scored)
 *   T, T + 1     the seed of the example's mask-token noise, 48 bits as two 24-bit halves
 * </pre>
 *
 * The first T entries are a permutation of the grid (fairseq's {@code ids_shuffle}, with both parts in grid
 * order). Every value is an integer below 2^24, exact in float. The noise seed travels with the mask so that the
 * N(0, std) mask tokens of the decoder input are a pure function of (run seed, key, view, clone) like the mask
 * itself ({@link MaskSeeds#noiseSeed}): a recomputed forward pass, a retried task, a resumed run and a
 * finite-difference gradient check all see the same noise.
 */
public final class MaskInput {
    /** Bits of the noise seed that travel (two halves of 24 bits, each exact in float). */
    public static final int SEED_BITS = 48;

    private static final int HALF = 24;
    private static final long HALF_MASK = (1L << HALF) - 1;

    /** Rows of the input read back: per example the order (kept, then masked) and the noise seed. */
    public record Rows(int[][] order, long[] noiseSeeds) {}

    private MaskInput() {}

    /** Values per example for a grid of {@code tokens} patches. */
    public static int width(int tokens) {
        return tokens + 2;
    }

    /** Writes {@code mask} and the low {@link #SEED_BITS} bits of {@code noiseSeed} into {@code out} at {@code offset}. */
    public static void write(TokenMask mask, long noiseSeed, float[] out, int offset) {
        int at = offset;
        for (int t : mask.keptIndices()) {
            out[at++] = t;
        }
        for (int t : mask.maskedIndices()) {
            out[at++] = t;
        }
        out[at++] = (noiseSeed >>> HALF) & HALF_MASK;
        out[at] = noiseSeed & HALF_MASK;
    }

    /** The noise seed as it comes back from {@link #read} (the low {@link #SEED_BITS} bits). */
    public static long travellingSeed(long noiseSeed) {
        return noiseSeed & ((1L << SEED_BITS) - 1);
    }

    /**
     * Reads and checks rows written by {@link #write}: each row's first {@code tokens} values must be a permutation of
     * the grid whose first {@code kept} and last {@code tokens - kept} values are ascending.
     *
     * @param rows [B][tokens + 2]
     */
    public static Rows read(double[][] rows, int tokens, int kept) {
        int[][] order = new int[rows.length][];
        long[] seeds = new long[rows.length];
        for (int r = 0; r < rows.length; r++) {
            double[] row = rows[r];
            if (row.length != width(tokens)) {
                throw new IllegalArgumentException(
                        "mask input rows must have " + width(tokens) + " values, got " + row.length);
            }
            boolean[] seen = new boolean[tokens];
            int[] o = new int[tokens];
            for (int i = 0; i < tokens; i++) {
                int t = (int) row[i];
                if (t != row[i] || t < 0 || t >= tokens || seen[t] || (i != kept && i > 0 && t < o[i - 1])) {
                    throw new IllegalArgumentException("mask input row " + r + " is not " + kept + " kept and "
                            + (tokens - kept) + " masked ascending indices of a " + tokens + "-token grid: value "
                            + row[i] + " at " + i);
                }
                seen[t] = true;
                o[i] = t;
            }
            order[r] = o;
            seeds[r] = (half(row[tokens], r) << HALF) | half(row[tokens + 1], r);
        }
        return new Rows(order, seeds);
    }

    private static long half(double value, int row) {
        long v = (long) value;
        if (v != value || v < 0 || v > HALF_MASK) {
            throw new IllegalArgumentException("mask input row " + row + " has a noise seed half of " + value
                    + ", not an integer in [0, 2^" + HALF + ")");
        }
        return v;
    }
}
