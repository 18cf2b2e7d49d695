package io.distillery.student;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;
import org.nd4j.shade.jackson.annotation.JsonInclude;

/**
 * data2vec 2.0's regression loss over the real tokens of padded texts: the output is the student's prediction
 * [B, T*D] ({@link TextTargetHead}), the labels [B, T*D + T] hold the teacher's target then the attention mask
 * (1 real token, 0 padding). Per text {@code (1/n) sum_{t real} sum_d (y - t)^2 / sqrt(D)} with n its real tokens;
 * padded positions weigh 0 (their targets are 0 and carry no meaning); a text without real tokens scores 0. The
 * score is the mean over the texts; the gradient is that of the sum over texts (DL4J's updater divides by the
 * minibatch size), as for every loss of the project.
 */
@JsonAutoDetect(
        fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE,
        setterVisibility = JsonAutoDetect.Visibility.NONE)
public class TokenD2vLoss extends WeightedSquaredErrorLoss {
    private static final long serialVersionUID = 1L;

    private int tokens;
    // the loss's weight in the objective; null (left out of the JSON) for 1, so a d2v-only graph's config is unchanged
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private Double weight;

    protected TokenD2vLoss() {}

    public TokenD2vLoss(int tokens) {
        this(tokens, 1.0);
    }

    /**
     * @param weight the loss's weight in the objective (>= 0; 0 switches the term off, as for the multimodal student's
     *               contrastive-only baseline): the score and the gradient are scaled by it
     */
    public TokenD2vLoss(int tokens, double weight) {
        if (tokens < 1) {
            throw new IllegalArgumentException("tokens must be >= 1, got " + tokens);
        }
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("weight must be a finite number >= 0, got " + weight);
        }
        this.tokens = tokens;
        this.weight = weight == 1.0 ? null : weight;
    }

    /** The loss's weight in the objective. */
    public double weight() {
        return weight == null ? 1.0 : weight;
    }

    /** Per-text weights {@code m_t / (n sqrt(D))}, broadcast to [B, T*D], and the differences y - target. */
    @Override
    INDArray[] weightedParts(INDArray labels, INDArray output) {
        long columns = output.size(1);
        if (labels.rank() != 2
                || labels.size(0) != output.size(0)
                || labels.size(1) != columns + tokens
                || columns % tokens != 0) {
            throw new IllegalArgumentException(name() + ": labels must be [" + output.size(0) + ", " + columns + " + "
                    + tokens + "] (target then attention mask) for an output " + Arrays.toString(output.shape())
                    + ", got " + Arrays.toString(labels.shape()));
        }
        long dim = columns / tokens;
        long rows = output.size(0);
        INDArray target = labels.get(NDArrayIndex.all(), NDArrayIndex.interval(0, columns));
        INDArray mask = labels.get(NDArrayIndex.all(), NDArrayIndex.interval(columns, columns + tokens))
                .dup()
                .castTo(output.dataType());
        INDArray real = mask.sum(true, 1); // [B, 1]
        INDArray perToken = mask.divColumnVector(org.nd4j.linalg.ops.transforms.Transforms.max(real, 1.0))
                .divi(Math.sqrt(dim) / weight()); // [B, T]
        INDArray weights = perToken.reshape(rows, tokens, 1).repeat(2, dim).reshape(rows, columns);
        INDArray diff = output.sub(target.castTo(output.dataType()));
        return new INDArray[] {weights, diff};
    }

    public int getTokens() {
        return tokens;
    }

    @Override
    public String name() {
        return "d2v-tokens";
    }

    @Override
    public String toString() {
        return "TokenD2vLoss(tokens " + tokens + (weight == null ? "" : ", weight " + weight) + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenD2vLoss other
                && other.tokens == tokens
                && Double.compare(other.weight(), weight()) == 0;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(tokens, weight());
    }
}
