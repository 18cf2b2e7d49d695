package io.distillery.model.kernels;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The attention mask of a two-segment token stream, per sample {@code [image tokens ; text tokens]}: a query attends
 * only to the keys of its own segment, and text queries (padded ones included, as in {@link KeyPaddingMask}) only to
 * real text keys. Excluded keys get the type's lowest value before the softmax and exactly 0 after it, so each
 * segment's rows are what attention over that segment alone computes (the excluded keys' probabilities, about 1e-38
 * or 0 before the zeroing, do not move the others in float or double). Blocks whose other layers work per token then
 * compute on the stream exactly what they compute on each segment separately: one set of weights serves both
 * modalities in a single graph.
 *
 * <p>Every text must have a real token (a caption has at least [CLS] and [SEP]): without one, BERT's all-padding
 * convention would attend uniformly to every key, image keys included.
 */
public final class SegmentMask implements ScoreMask {
    private final int batch;
    private final int tokens;
    /** [B, T*T]: per sample, row = query, column = key; 0 allowed, the type's lowest value excluded. */
    private final INDArray additive;
    /** [B, T*T]: 1 allowed, 0 excluded. */
    private final INDArray keep;

    private SegmentMask(int batch, int tokens, INDArray additive, INDArray keep) {
        this.batch = batch;
        this.tokens = tokens;
        this.additive = additive;
        this.keep = keep;
    }

    /**
     * @param textMask    {@code batch * textTokens} values, row-major, each 1 (real text token) or 0 (padding)
     * @param imageTokens the length of the first segment (CLS and patches), the same for every sample
     * @param type        the data type of the attention scores (FLOAT or DOUBLE)
     */
    public static SegmentMask of(int[] textMask, int batch, int imageTokens, int textTokens, DataType type) {
        if (imageTokens < 1 || textTokens < 1) {
            throw new IllegalArgumentException(
                    "segments need tokens: " + imageTokens + " image tokens, " + textTokens + " text tokens");
        }
        if (textMask.length != (long) batch * textTokens) {
            throw new IllegalArgumentException(
                    "text attention mask has " + textMask.length + " values, expected " + batch + " x " + textTokens);
        }
        double lowest = switch (type) {
            case FLOAT -> -Float.MAX_VALUE;
            case DOUBLE -> -Double.MAX_VALUE;
            default -> throw new IllegalArgumentException("attention masks support FLOAT and DOUBLE, not " + type);
        };
        int tokens = imageTokens + textTokens;
        int square = tokens * tokens;
        double[] add = new double[batch * square];
        double[] keep = new double[batch * square];
        for (int b = 0; b < batch; b++) {
            boolean anyReal = false;
            for (int t = 0; t < textTokens; t++) {
                int m = textMask[b * textTokens + t];
                if (m != 0 && m != 1) {
                    throw new IllegalArgumentException(
                            "text attention mask values must be 0 or 1, got " + m + " at [" + b + ", " + t + "]");
                }
                anyReal |= m == 1;
            }
            if (!anyReal) {
                throw new IllegalArgumentException("text attention mask row " + b + " has no real token");
            }
            for (int q = 0; q < tokens; q++) {
                boolean imageQuery = q < imageTokens;
                for (int k = 0; k < tokens; k++) {
                    boolean allowed = imageQuery
                            ? k < imageTokens
                            : k >= imageTokens && textMask[b * textTokens + k - imageTokens] == 1;
                    int i = b * square + q * tokens + k;
                    add[i] = allowed ? 0 : lowest;
                    keep[i] = allowed ? 1 : 0;
                }
            }
        }
        return new SegmentMask(
                batch,
                tokens,
                Nd4j.create(add, new long[] {batch, square}, type),
                Nd4j.create(keep, new long[] {batch, square}, type));
    }

    @Override
    public int batch() {
        return batch;
    }

    @Override
    public void addTo(INDArray scores) {
        INDArray perSample = samples(scores);
        for (int b = 0; b < batch; b++) {
            perSample.slice(b).addiRowVector(additive.getRow(b));
        }
    }

    @Override
    public void zeroMasked(INDArray probs) {
        INDArray perSample = samples(probs);
        for (int b = 0; b < batch; b++) {
            perSample.slice(b).muliRowVector(keep.getRow(b));
        }
    }

    /** The scores [B*H*T, T] as [B, H, T*T]: one [T, T] map per head, the same mask for every head. */
    private INDArray samples(INDArray scores) {
        long square = (long) tokens * tokens;
        if (scores.size(1) != tokens || scores.length() % (batch * square) != 0) {
            throw new IllegalArgumentException("scores " + Arrays.toString(scores.shape()) + " do not fit a mask of "
                    + batch + " samples x " + tokens + " tokens");
        }
        return scores.reshape('c', batch, scores.length() / (batch * square), square);
    }
}
