package io.distillery.student;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A loss {@code sum w (y - t)^2} per row whose weights {@code w} and targets come from the labels (teacher values then
 * the attention mask): subclasses give {@link #weightedParts}. The score is the mean over rows; the gradient is that
 * of the sum over rows (DL4J's updater divides by the minibatch size). Padding is excluded through the weights, so a
 * DL4J label mask is refused. No fields: subclasses' JSON is unchanged.
 */
abstract class WeightedSquaredErrorLoss implements org.nd4j.linalg.lossfunctions.ILossFunction {
    private static final long serialVersionUID = 1L;

    /** The weights and the differences {@code y - teacher}, both shaped like {@code output}. */
    abstract INDArray[] weightedParts(INDArray labels, INDArray output);

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        requireNoMask(mask);
        INDArray y = activationFn.getActivation(preOutput.dup(), false);
        INDArray[] p = weightedParts(labels, y);
        return p[1].mul(p[1]).muli(p[0]).sum(true, 1);
    }

    @Override
    public double computeScore(
            INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        double sum = computeScoreArray(labels, preOutput, activationFn, mask)
                .sumNumber()
                .doubleValue();
        return average ? sum / preOutput.size(0) : sum;
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        requireNoMask(mask);
        INDArray y = activationFn.getActivation(preOutput.dup(), true);
        INDArray[] p = weightedParts(labels, y);
        INDArray dy = p[1].muli(p[0]).muli(2);
        return activationFn.backprop(preOutput.dup(), dy).getFirst();
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(
            INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        return Pair.of(
                computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    private void requireNoMask(INDArray mask) {
        if (mask != null) {
            throw new UnsupportedOperationException(
                    name() + ": padding is excluded by the attention mask in the labels, not by a label mask");
        }
    }
}
