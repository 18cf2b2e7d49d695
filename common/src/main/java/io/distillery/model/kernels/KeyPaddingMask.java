package io.distillery.model.kernels;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Which keys the queries of each sample may attend to, from an attention mask [B, T] (1: a real token, 0: padding),
 * applied the way Hugging Face's BERT does: the lowest finite value of the data type ({@code torch.finfo(dtype).min},
 * -3.4028235e38 for float32) is added to the scores of padded keys before the softmax, the same for every head and
 * every query row, padded queries included. A padded query therefore still gets an output (it attends to the real
 * keys of its sample), and a sample without any real token attends uniformly to all its keys (every score becomes
 * that lowest value).
 *
 * <p>After the softmax the probabilities of padded keys are set to exactly 0 in samples that have a real token. That
 * is what PyTorch computes (its {@code exp} of about -3.4e38 is 0), while the vectorised softmax clamps its argument
 * at -87 and would leave about 1.6e-38 there; the real keys' probabilities are unaffected (their sum includes at
 * least e^0 = 1, to which 1e-38 adds nothing in float).
 */
public final class KeyPaddingMask implements ScoreMask {
    private final int batch;
    private final int tokens;
    /** [B, T]: 0 for a real key, the type's lowest value for a padded one. */
    private final INDArray additive;
    /** [B, T]: 1 for a real key, 0 for a padded one. */
    private final INDArray keep;
    /** Whether the sample has a padded key (samples without one are left alone: adding 0 changes nothing). */
    private final boolean[] padded;
    /** Whether the sample has a real key (without one, the uniform softmax is the result). */
    private final boolean[] anyReal;

    private KeyPaddingMask(
            int batch, int tokens, INDArray additive, INDArray keep, boolean[] padded, boolean[] anyReal) {
        this.batch = batch;
        this.tokens = tokens;
        this.additive = additive;
        this.keep = keep;
        this.padded = padded;
        this.anyReal = anyReal;
    }

    /**
     * @param mask {@code batch * tokens} values, row-major, each 0 (padding) or 1 (attend)
     * @param type the data type of the attention scores (FLOAT or DOUBLE)
     * @return the mask, or null when no key is padded (nothing to do)
     */
    public static KeyPaddingMask of(int[] mask, int batch, int tokens, DataType type) {
        if (mask.length != (long) batch * tokens) {
            throw new IllegalArgumentException(
                    "attention mask has " + mask.length + " values, expected " + batch + " x " + tokens);
        }
        double lowest = switch (type) {
            case FLOAT -> -Float.MAX_VALUE;
            case DOUBLE -> -Double.MAX_VALUE;
            default -> throw new IllegalArgumentException("attention masks support FLOAT and DOUBLE, not " + type);
        };
        boolean[] padded = new boolean[batch];
        boolean[] anyReal = new boolean[batch];
        double[] add = new double[mask.length];
        double[] keep = new double[mask.length];
        boolean any = false;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < tokens; t++) {
                int i = b * tokens + t;
                if (mask[i] == 0) {
                    add[i] = lowest;
                    padded[b] = true;
                    any = true;
                } else if (mask[i] == 1) {
                    keep[i] = 1;
                    anyReal[b] = true;
                } else {
                    throw new IllegalArgumentException(
                            "attention mask values must be 0 or 1, got " + mask[i] + " at [" + b + ", " + t + "]");
                }
            }
        }
        if (!any) {
            return null;
        }
        return new KeyPaddingMask(
                batch,
                tokens,
                Nd4j.create(add, new long[] {batch, tokens}, type),
                Nd4j.create(keep, new long[] {batch, tokens}, type),
                padded,
                anyReal);
    }

    @Override
    public int batch() {
        return batch;
    }

    /** Adds the padding bias to the scores [B*H*T, T] (rows: sample, head, query). */
    @Override
    public void addTo(INDArray scores) {
        INDArray perSample = samples(scores);
        for (int b = 0; b < batch; b++) {
            if (padded[b]) {
                perSample.slice(b).addiRowVector(additive.getRow(b));
            }
        }
    }

    /** Sets the probabilities [B*H*T, T] of padded keys to exactly 0 in samples that have a real key. */
    @Override
    public void zeroMasked(INDArray probs) {
        INDArray perSample = samples(probs);
        for (int b = 0; b < batch; b++) {
            if (padded[b] && anyReal[b]) {
                perSample.slice(b).muliRowVector(keep.getRow(b));
            }
        }
    }

    private INDArray samples(INDArray scores) {
        if (scores.size(1) != tokens || scores.length() % ((long) batch * tokens * tokens) != 0) {
            throw new IllegalArgumentException("scores " + Arrays.toString(scores.shape()) + " do not fit a mask of "
                    + batch + " samples x " + tokens + " tokens");
        }
        return scores.reshape('c', batch, scores.length() / ((long) batch * tokens), tokens);
    }
}
