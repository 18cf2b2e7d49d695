package io.distillery.masking;

/**
 * fairseq's {@code compute_block_mask_2d} (fairseq/data/data_utils.py) for one sample, with
 * {@code require_same_masks=True} as data2vec 2.0's image model and dataset call it. Fields carry fairseq's
 * argument names.
 *
 * <p>The algorithm, on a {@code side x side} grid of {@code T} tokens, with {@code p = 1 - maskProb} when
 * {@code inverse} (data2vec 2.0: the blocks mark what the encoder keeps) and {@code p = maskProb} otherwise:
 *
 * <ol>
 *   <li>Blocks. Default: {@code int(T * ((p + probAdjust) / maskLength^2) * (1 + maskDropout))} centres drawn
 *       uniformly with replacement ({@code torch.randint}); each marks the {@code maskLength x maskLength} square
 *       from {@code centre - maskLength/2}, its coordinates clamped into the grid (so a block at the border is cut
 *       short, and centres may coincide or overlap). {@code nonOverlapping}: the grid is tiled by squares of
 *       {@code maskLength} (the last row and column cut by the border), and {@code int(cells * (p + probAdjust) *
 *       (1 + maskDropout))} of the tiles are chosen without replacement.
 *   <li>Exact count. {@code n} marked, the goal {@code final = int(T * p)} and {@code target = int(final * (1 +
 *       maskDropout))}. With {@code expandAdjacent}, while {@code n < target}, up to {@code target - n} unmarked
 *       tokens with a marked 4-neighbour are marked, chosen without replacement. Then, if {@code n > final}, {@code
 *       n - final} marked tokens chosen without replacement are unmarked; if {@code n < final}, {@code final - n}
 *       unmarked tokens chosen without replacement are marked. Every sample ends with exactly {@code final} marks.
 *   <li>{@code inverse}: the result is the complement, so {@code T - final} tokens are masked.
 * </ol>
 *
 * <p>{@code probAdjust} (data2vec 2.0 images: 0.07) over-draws blocks because overlaps and clamped borders lose
 * area; the exact-count step then trims or pads at random positions. Draws are consumed as fairseq's torch calls
 * consume them (see {@link MaskDraws}): one index per centre, then one Exp(1) key per grid element (per tile for
 * {@code nonOverlapping}) for every without-replacement choice, in the order fairseq makes them.
 *
 * @param side           grid side (fairseq: {@code int(sqrt(T))})
 * @param maskProb       fraction to mask (data2vec 2.0 images: 0.8)
 * @param maskLength     block side, at least 2 (fairseq asserts; images: 3)
 * @param probAdjust     {@code mask_prob_adjust} (images: 0.07)
 * @param inverse        {@code inverse_mask} (images: true)
 * @param expandAdjacent {@code expand_adjcent} (fairseq's spelling; images: false)
 * @param maskDropout    {@code mask_dropout} (images: 0)
 * @param nonOverlapping {@code non_overlapping} (images: false)
 */
public record BlockMask2d(
        int side,
        double maskProb,
        int maskLength,
        double probAdjust,
        boolean inverse,
        boolean expandAdjacent,
        double maskDropout,
        boolean nonOverlapping)
        implements MaskSampler {

    public BlockMask2d {
        if (side < 1) {
            throw new IllegalArgumentException("mask grid side must be at least 1, got " + side);
        }
        if (!(maskProb > 0 && maskProb < 1)) {
            throw new IllegalArgumentException("mask ratio must be in (0, 1), got " + maskProb);
        }
        if (maskLength < 2) {
            throw new IllegalArgumentException(
                    "mask block size must be at least 2 (fairseq asserts it), got " + maskLength);
        }
        if (!(probAdjust >= 0 && probAdjust < 1)) {
            throw new IllegalArgumentException("mask_prob_adjust must be in [0, 1), got " + probAdjust);
        }
        if (!(maskDropout >= 0 && maskDropout < 1)) {
            throw new IllegalArgumentException("mask_dropout must be in [0, 1), got " + maskDropout);
        }
        if (nonOverlapping) {
            int tiles = tilesPerSide(side, maskLength) * tilesPerSide(side, maskLength);
            int chosen = blockCount(side, maskProb, maskLength, probAdjust, inverse, maskDropout, true);
            if (chosen > tiles) {
                throw new IllegalArgumentException("non-overlapping masks need " + chosen + " of the " + tiles
                        + " tiles of " + maskLength + "x" + maskLength + " on a " + side + "x" + side + " grid");
            }
        }
    }

    /** data2vec 2.0's image masks: inverse blocks, no adjacent expansion, no mask dropout, overlapping blocks. */
    public static BlockMask2d data2vec2(int side, double ratio, int blockSize, double probAdjust) {
        return new BlockMask2d(side, ratio, blockSize, probAdjust, true, false, 0, false);
    }

    @Override
    public int tokens() {
        return side * side;
    }

    /** {@code int(T * p)} marked; masked is that or, with {@code inverse}, the rest. */
    @Override
    public int maskedCount() {
        int marked = finalCount();
        return inverse ? tokens() - marked : marked;
    }

    /** fairseq's {@code mask_prob} after {@code inverse_mask} flips it: the fraction of tokens marked. */
    private double markedProb() {
        return inverse ? 1 - maskProb : maskProb;
    }

    private int finalCount() {
        return (int) (tokens() * markedProb());
    }

    private static int tilesPerSide(int side, int maskLength) {
        return (side + maskLength - 1) / maskLength; // math.ceil(d / mask_length)
    }

    /** The number of centres (or of tiles), with fairseq's floating-point expression in fairseq's order. */
    private static int blockCount(
            int side,
            double maskProb,
            int maskLength,
            double probAdjust,
            boolean inverse,
            double maskDropout,
            boolean nonOverlapping) {
        double p = inverse ? 1 - maskProb : maskProb;
        if (nonOverlapping) {
            int tiles = tilesPerSide(side, maskLength) * tilesPerSide(side, maskLength);
            return (int) (tiles * (p + probAdjust) * (1 + maskDropout));
        }
        int tokens = side * side;
        return (int) (tokens * ((p + probAdjust) / (maskLength * maskLength)) * (1 + maskDropout));
    }

    @Override
    public TokenMask sample(MaskDraws draws) {
        int tokens = tokens();
        boolean[] marked = new boolean[tokens];
        int blocks = blockCount(side, maskProb, maskLength, probAdjust, inverse, maskDropout, nonOverlapping);
        if (nonOverlapping) {
            markTiles(marked, blocks, draws);
        } else {
            markBlocks(marked, blocks, draws);
        }
        int n = 0;
        for (boolean m : marked) {
            n += m ? 1 : 0;
        }
        int finalCount = finalCount();
        int target = (int) (finalCount * (1 + maskDropout));
        while (expandAdjacent && n < target) {
            boolean[] candidates = unmarkedNextToMarked(marked);
            int available = 0;
            for (boolean c : candidates) {
                available += c ? 1 : 0;
            }
            if (available == 0) {
                // fairseq: assert cand_sz > 0
                throw new IllegalStateException("no unmarked token next to a marked one to expand into (" + n + " of "
                        + target + " marked on a " + side + "x" + side + " grid)");
            }
            for (int t : WithoutReplacement.choose(candidates, Math.min(available, target - n), draws)) {
                marked[t] = true;
                n++;
            }
        }
        if (n > finalCount) {
            for (int t : WithoutReplacement.choose(marked, n - finalCount, draws)) {
                marked[t] = false;
            }
        } else if (n < finalCount) {
            boolean[] unmarked = new boolean[tokens];
            for (int t = 0; t < tokens; t++) {
                unmarked[t] = !marked[t];
            }
            for (int t : WithoutReplacement.choose(unmarked, finalCount - n, draws)) {
                marked[t] = true;
            }
        }
        if (inverse) {
            for (int t = 0; t < tokens; t++) {
                marked[t] = !marked[t];
            }
        }
        return new TokenMask(marked);
    }

    /** Centres with replacement, each stamping a clamped square (fairseq's randint + index clamp). */
    private void markBlocks(boolean[] marked, int blocks, MaskDraws draws) {
        int offset = maskLength / 2;
        for (int b = 0; b < blocks; b++) {
            int centre = draws.nextIndex(side * side);
            int ci = centre / side;
            int cj = centre % side;
            for (int i = 0; i < maskLength; i++) {
                int row = clamp(ci + i - offset);
                for (int j = 0; j < maskLength; j++) {
                    marked[row * side + clamp(cj + j - offset)] = true;
                }
            }
        }
    }

    /** Tiles without replacement, each stamping its square cut at the border (fairseq's conv_transpose2d + crop). */
    private void markTiles(boolean[] marked, int blocks, MaskDraws draws) {
        int perSide = tilesPerSide(side, maskLength);
        boolean[] all = new boolean[perSide * perSide];
        java.util.Arrays.fill(all, true);
        for (int tile : WithoutReplacement.choose(all, blocks, draws)) {
            int top = (tile / perSide) * maskLength;
            int left = (tile % perSide) * maskLength;
            for (int i = top; i < Math.min(side, top + maskLength); i++) {
                for (int j = left; j < Math.min(side, left + maskLength); j++) {
                    marked[i * side + j] = true;
                }
            }
        }
    }

    private int clamp(int coordinate) {
        return Math.max(0, Math.min(side - 1, coordinate));
    }

    /** fairseq's {@code (1 - m + nbs) > 1}: unmarked tokens with a marked up, down, left or right neighbour. */
    private boolean[] unmarkedNextToMarked(boolean[] marked) {
        boolean[] out = new boolean[marked.length];
        for (int t = 0; t < marked.length; t++) {
            if (marked[t]) {
                continue;
            }
            int i = t / side;
            int j = t % side;
            out[t] = (i > 0 && marked[t - side])
                    || (i < side - 1 && marked[t + side])
                    || (j > 0 && marked[t - 1])
                    || (j < side - 1 && marked[t + 1]);
        }
        return out;
    }
}
