package io.distillery.masking;

import java.util.List;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Moves patch tokens between the full grid and the tokens a mask keeps, on DL4J's flat [rows, T*D] activations
 * with one mask per row (all masks of a batch keep the same number K of tokens). fairseq's {@code make_maskinfo}
 * gathers the kept tokens for the encoder; its {@code decoder_input} puts the encoder's outputs back in place and
 * fills the masked positions with fresh N(0, {@code mask_noise_std}) mask tokens (data2vec 2.0: 0.01) before the
 * {@code Decoder2d}. The kept tokens keep their grid order here (fairseq's {@code argsort} order is unspecified;
 * with fixed sin-cos positions added before masking and no ALiBi the encoder does not depend on it).
 */
public final class MaskedTokens {
    private MaskedTokens() {}

    /** [rows, T*D] to [rows, K*D]: each row's kept tokens, ascending. Also the backward of {@link #scatter}. */
    public static INDArray gather(INDArray grid, List<TokenMask> masks, int dim) {
        int rows = checkRows(grid, masks);
        int tokens = masks.get(0).tokens();
        int kept = keptPerRow(masks);
        requireWidth(grid, (long) tokens * dim, "grid");
        int[] index = new int[rows * kept];
        for (int r = 0; r < rows; r++) {
            int[] k = masks.get(r).keptIndices();
            for (int i = 0; i < kept; i++) {
                index[r * kept + i] = r * tokens + k[i];
            }
        }
        return Nd4j.pullRows(grid.reshape('c', (long) rows * tokens, dim), 1, index)
                .reshape('c', rows, (long) kept * dim);
    }

    /**
     * [rows, K*D] to [rows, T*D]: the kept tokens back at their grid positions, every masked position a mask token
     * with entries N(0, noiseStd) from {@code noise} (zeros when {@code noiseStd == 0}: then this is the backward
     * of {@link #gather}). The gradient with respect to {@code kept} is {@link #gather} of the grid's gradient.
     */
    public static INDArray scatter(
            INDArray kept, List<TokenMask> masks, int dim, double noiseStd, RandomGenerator noise) {
        if (!(noiseStd >= 0) || Double.isInfinite(noiseStd)) {
            throw new IllegalArgumentException("mask token noise std must be finite and >= 0, got " + noiseStd);
        }
        int rows = checkRows(kept, masks);
        int tokens = masks.get(0).tokens();
        int keptCount = keptPerRow(masks);
        int masked = tokens - keptCount;
        requireWidth(kept, (long) keptCount * dim, "kept tokens");
        // fairseq's cat([x, mask_tokens]) then gather(ids_restore): one row pull from the kept rows and the fills
        INDArray fills = Nd4j.zeros(kept.dataType(), (long) rows * masked, dim);
        if (noiseStd > 0) {
            double[] values = new double[rows * masked * dim];
            for (int i = 0; i < values.length; i++) {
                values[i] = noise.nextGaussian() * noiseStd;
            }
            fills.assign(Nd4j.create(values, new long[] {(long) rows * masked, dim}, kept.dataType()));
        }
        INDArray source = Nd4j.vstack(kept.reshape('c', (long) rows * keptCount, dim), fills);
        int[] index = new int[rows * tokens];
        for (int r = 0; r < rows; r++) {
            TokenMask mask = masks.get(r);
            int nextKept = 0;
            int nextMasked = 0;
            for (int t = 0; t < tokens; t++) {
                index[r * tokens + t] =
                        mask.isMasked(t) ? rows * keptCount + r * masked + nextMasked++ : r * keptCount + nextKept++;
            }
        }
        return Nd4j.pullRows(source, 1, index).reshape('c', rows, (long) tokens * dim);
    }

    private static int checkRows(INDArray x, List<TokenMask> masks) {
        if (masks.isEmpty() || x.rank() != 2 || x.size(0) != masks.size()) {
            throw new IllegalArgumentException("need one mask per row: " + masks.size()
                    + " masks for an array of shape " + java.util.Arrays.toString(x.shape()));
        }
        return masks.size();
    }

    private static int keptPerRow(List<TokenMask> masks) {
        TokenMask first = masks.get(0);
        for (TokenMask m : masks) {
            if (m.tokens() != first.tokens() || m.keptCount() != first.keptCount()) {
                throw new IllegalArgumentException("masks of a batch must keep the same number of tokens: "
                        + first.keptCount() + " of " + first.tokens() + " and " + m.keptCount() + " of " + m.tokens());
            }
        }
        return first.keptCount();
    }

    private static void requireWidth(INDArray x, long width, String what) {
        if (x.size(1) != width) {
            throw new IllegalArgumentException(what + " rows must have " + width + " values, got " + x.size(1));
        }
    }
}
