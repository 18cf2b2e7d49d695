package io.distillery.eval;

import java.io.Serializable;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * How close predicted tokens come to their targets, both [N, T, D]: the mean squared error over all elements and
 * the cosine similarity of each token's D-vector averaged over the N x T tokens. Cosine follows
 * {@code torch.nn.functional.cosine_similarity} (each norm clamped at 1e-8, so a zero vector scores 0).
 *
 * <p>Sums are kept in double so batches can be {@link #add added} one at a time and partial results
 * {@link #merge merged} (e.g. per Spark partition); non-finite inputs give non-finite results, not an error.
 */
public final class TargetSimilarity implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final double EPS = 1e-8;

    private long elements;
    private long tokens;
    private double squaredErrorSum;
    private double cosineSum;

    /** The similarity of one pair of tensors. */
    public static TargetSimilarity of(INDArray predicted, INDArray target) {
        return new TargetSimilarity().add(predicted, target);
    }

    /** Adds a batch; returns this. */
    public TargetSimilarity add(INDArray predicted, INDArray target) {
        check(predicted, "predicted tokens");
        check(target, "target tokens");
        if (!Arrays.equals(predicted.shape(), target.shape())) {
            throw new IllegalArgumentException("predicted tokens " + Arrays.toString(predicted.shape())
                    + " and targets " + Arrays.toString(target.shape()) + " differ in shape");
        }
        INDArray p = FeatureChecks.as(predicted, DataType.DOUBLE);
        INDArray t = FeatureChecks.as(target, DataType.DOUBLE);
        INDArray diff = p.sub(t);
        squaredErrorSum += diff.muli(diff).sumNumber().doubleValue();
        INDArray dot = p.mul(t).sum(2);
        INDArray norms = Transforms.max(p.norm2(2), EPS, false).muli(Transforms.max(t.norm2(2), EPS, false));
        cosineSum += dot.divi(norms).sumNumber().doubleValue();
        elements += p.length();
        tokens += p.size(0) * p.size(1);
        return this;
    }

    /** Adds the counts and sums of {@code other}; returns this. */
    public TargetSimilarity merge(TargetSimilarity other) {
        elements += other.elements;
        tokens += other.tokens;
        squaredErrorSum += other.squaredErrorSum;
        cosineSum += other.cosineSum;
        return this;
    }

    public double mse() {
        requireData();
        return squaredErrorSum / elements;
    }

    public double meanCosine() {
        requireData();
        return cosineSum / tokens;
    }

    public long tokens() {
        return tokens;
    }

    private void requireData() {
        if (tokens == 0) {
            throw new IllegalStateException("no tokens added: target similarity of an empty set is undefined");
        }
    }

    private static void check(INDArray x, String what) {
        if (x == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (x.rank() != 3) {
            throw new IllegalArgumentException(what + " must be [N, T, D] but has shape " + Arrays.toString(x.shape()));
        }
        if (x.length() == 0) {
            throw new IllegalArgumentException(what + " are empty (shape " + Arrays.toString(x.shape()) + ")");
        }
        if (!x.dataType().isFPType()) {
            throw new IllegalArgumentException(what + " must be floating point but are " + x.dataType());
        }
    }
}
