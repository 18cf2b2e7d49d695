package io.distillery.student;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;

/**
 * TinyBERT's hidden-state and attention losses on padded texts, over the real positions only (the text dataset's
 * rule: a loss skips the positions whose attention_mask is 0). The labels [B, W + T] hold the teacher tensor then the
 * attention mask (1 real token, 0 padding), as for {@link TokenD2vLoss}.
 *
 * <ul>
 *   <li>{@code hidden} ({@code heads} 0): the output is a layer's tokens [B, T*D]; per text
 *       {@code (1/(n D)) sum_{t real} sum_d (s - t)^2} with n its real tokens.
 *   <li>{@code attention} ({@code heads} H > 0): the output is a layer's attention probabilities [B, H*T*T]; per text
 *       {@code (1/(H n^2)) sum_h sum_{q real} sum_{k real} (s - t)^2}: padded query rows and padded key columns are
 *       left out.
 * </ul>
 *
 * A text without real tokens scores 0. The score is {@code weight} times the mean over the texts; for texts without
 * padding it equals {@link io.distillery.losses.HiddenStateLoss} / {@link io.distillery.losses.AttentionMapLoss}
 * (MSE, mean reduction) exactly. The gradient is that of the sum over texts (DL4J's updater divides by the
 * minibatch size), as for every loss of the project.
 */
@JsonAutoDetect(
        fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE,
        setterVisibility = JsonAutoDetect.Visibility.NONE)
public class PaddedMseLoss extends WeightedSquaredErrorLoss {
    private static final long serialVersionUID = 1L;

    private int tokens;
    private int heads;
    private double weight;

    protected PaddedMseLoss() {}

    /**
     * @param tokens T, the padded length
     * @param heads  0 for hidden states [T, D], else the head count of attention maps [H, T, T]
     * @param weight the loss's weight in the objective (> 0)
     */
    public PaddedMseLoss(int tokens, int heads, double weight) {
        if (tokens < 1 || heads < 0 || !(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException(
                    "invalid padded MSE: tokens " + tokens + ", heads " + heads + ", weight " + weight);
        }
        this.tokens = tokens;
        this.heads = heads;
        this.weight = weight;
    }

    /** A hidden-state loss on [B, T*D] outputs. */
    public static PaddedMseLoss hidden(int tokens, double weight) {
        return new PaddedMseLoss(tokens, 0, weight);
    }

    /** An attention-map loss on [B, H*T*T] outputs. */
    public static PaddedMseLoss attention(int tokens, int heads, double weight) {
        if (heads < 1) {
            throw new IllegalArgumentException("attention maps need heads >= 1, got " + heads);
        }
        return new PaddedMseLoss(tokens, heads, weight);
    }

    /** Per-element weights {@code weight * [real] / count} [B, W] and the differences y - teacher. */
    @Override
    INDArray[] weightedParts(INDArray labels, INDArray output) {
        long columns = output.size(1);
        long expected = heads > 0 ? (long) heads * tokens * tokens : columns - columns % tokens;
        if (labels.rank() != 2
                || labels.size(0) != output.size(0)
                || labels.size(1) != columns + tokens
                || columns != expected
                || columns == 0) {
            throw new IllegalArgumentException(name() + ": labels must be [" + output.size(0) + ", " + columns + " + "
                    + tokens + "] (teacher then attention mask) for an output " + Arrays.toString(output.shape())
                    + (heads > 0 ? " of " + heads + " x " + tokens + " x " + tokens : " of " + tokens + " tokens")
                    + ", got " + Arrays.toString(labels.shape()));
        }
        long rows = output.size(0);
        INDArray teacher = labels.get(NDArrayIndex.all(), NDArrayIndex.interval(0, columns));
        INDArray mask = labels.get(NDArrayIndex.all(), NDArrayIndex.interval(columns, columns + tokens))
                .dup()
                .castTo(output.dataType());
        INDArray real = Transforms.max(mask.sum(true, 1), 1.0); // [B, 1], at least 1: a text without any scores 0
        INDArray weights;
        if (heads == 0) {
            long dim = columns / tokens;
            INDArray perToken = mask.divColumnVector(real).divi(dim).muli(weight); // [B, T]
            weights = perToken.reshape(rows, tokens, 1).repeat(2, dim).reshape(rows, columns);
        } else {
            INDArray queries = mask.reshape(rows, tokens, 1).repeat(2, tokens); // [B, q, k]: m_q
            INDArray keys = mask.reshape(rows, 1, tokens).repeat(1, tokens); // [B, q, k]: m_k
            INDArray pairs = queries.muli(keys).reshape(rows, (long) tokens * tokens);
            pairs.diviColumnVector(real.mul(real).muli(heads)).muli(weight);
            weights = pairs.reshape(rows, 1, (long) tokens * tokens)
                    .repeat(1, heads)
                    .reshape(rows, columns);
        }
        INDArray diff = output.sub(teacher.castTo(output.dataType()));
        return new INDArray[] {weights, diff};
    }

    public int getTokens() {
        return tokens;
    }

    public int getHeads() {
        return heads;
    }

    public double getWeight() {
        return weight;
    }

    @Override
    public String name() {
        return heads > 0 ? "attention-padded" : "hidden-padded";
    }

    @Override
    public String toString() {
        return "PaddedMseLoss(" + name() + ", tokens " + tokens + (heads > 0 ? ", heads " + heads : "") + ", weight "
                + weight + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PaddedMseLoss other
                && other.tokens == tokens
                && other.heads == heads
                && Double.compare(other.weight, weight) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(tokens, heads, weight);
    }
}
