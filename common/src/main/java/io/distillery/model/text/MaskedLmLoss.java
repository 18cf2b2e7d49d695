package io.distillery.model.text;

import io.distillery.model.kernels.IntegerColumns;
import java.util.Arrays;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonAutoDetect;

/**
 * Masked-language-model cross-entropy, as {@code BertForMaskedLM}'s {@code CrossEntropyLoss()(logits.view(-1, V),
 * labels.view(-1))}: the output is the vocabulary logits [B, T*V] ({@link MlmHead}), the labels [B, T] hold the
 * original token id at the positions to predict and {@code ignoreIndex} (-100, transformers' convention) everywhere
 * else (unmasked and padded positions); the loss is the mean over the predicted positions of the whole batch. A
 * batch without any predicted position has loss 0 and a zero gradient (PyTorch's would be NaN).
 *
 * <p>DL4J's conventions as in {@link io.distillery.objective.TermLossFunction}: the score is that mean, the gradient
 * is that of the mean times the minibatch size (DL4J's updater divides by it).
 */
@JsonAutoDetect(
        fieldVisibility = JsonAutoDetect.Visibility.ANY,
        getterVisibility = JsonAutoDetect.Visibility.NONE,
        isGetterVisibility = JsonAutoDetect.Visibility.NONE,
        setterVisibility = JsonAutoDetect.Visibility.NONE)
public class MaskedLmLoss implements ILossFunction {
    private static final long serialVersionUID = 1L;
    public static final int IGNORE_INDEX = -100;

    private int ignoreIndex = IGNORE_INDEX;

    public MaskedLmLoss() {}

    /** The mean cross-entropy over the predicted positions and its gradient with respect to the logits. */
    private Pair<Double, INDArray> meanAndGradient(INDArray labels, INDArray logits) {
        if (labels.rank() != 2 || labels.size(0) != logits.size(0) || logits.size(1) % labels.size(1) != 0) {
            throw new IllegalArgumentException(name() + ": labels must be [" + logits.size(0) + ", T] for logits ["
                    + logits.size(0) + ", T x vocabulary], got " + Arrays.toString(labels.shape()) + " and "
                    + Arrays.toString(logits.shape()));
        }
        long tokens = labels.size(1);
        long vocab = logits.size(1) / tokens;
        int[] targets = IntegerColumns.read(labels, 0, tokens, name() + ": labels");
        int predicted = 0;
        for (int i = 0; i < targets.length; i++) {
            if (targets[i] != ignoreIndex) {
                if (targets[i] < 0 || targets[i] >= vocab) {
                    throw new IllegalArgumentException(name() + ": label " + targets[i] + " at flat position " + i
                            + " is neither " + ignoreIndex + " nor a token id in [0, " + vocab + ")");
                }
                predicted++;
            }
        }
        INDArray rows = logits.reshape('c', targets.length, vocab);
        INDArray gradient = Nd4j.zeros(logits.dataType(), targets.length, vocab);
        if (predicted == 0) {
            return Pair.of(0.0, gradient.reshape(logits.shape()));
        }
        int[] chosen = new int[predicted];
        for (int i = 0, k = 0; i < targets.length; i++) {
            if (targets[i] != ignoreIndex) {
                chosen[k++] = i;
            }
        }
        // log-softmax of the predicted rows only: they are ~15 % of a BERT batch
        INDArray z = Nd4j.pullRows(rows, 1, chosen);
        z.subiColumnVector(z.max(1));
        INDArray probs = Transforms.exp(z, true);
        INDArray sums = probs.sum(1);
        probs.diviColumnVector(sums);
        double[] logSums = Transforms.log(sums, false)
                .castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                .toDoubleVector();
        double total = 0;
        for (int k = 0; k < predicted; k++) {
            int target = targets[chosen[k]];
            total += logSums[k] - z.getDouble(k, target);
            probs.putScalar(k, target, probs.getDouble(k, target) - 1);
        }
        probs.divi(predicted);
        for (int k = 0; k < predicted; k++) {
            gradient.getRow(chosen[k]).assign(probs.getRow(k));
        }
        return Pair.of(total / predicted, gradient.reshape(logits.shape()));
    }

    @Override
    public double computeScore(
            INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        return computeGradientAndScore(labels, preOutput, activationFn, mask, average)
                .getFirst();
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        throw new UnsupportedOperationException(
                name() + ": per-example scores are not defined (the mean runs over the batch's predicted tokens)");
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return computeGradientAndScore(labels, preOutput, activationFn, mask, true)
                .getSecond();
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(
            INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        if (mask != null) {
            throw new UnsupportedOperationException(
                    name() + ": positions are excluded by label " + ignoreIndex + ", not by a label mask");
        }
        INDArray logits = activationFn.getActivation(preOutput.dup(), true);
        Pair<Double, INDArray> v = meanAndGradient(labels, logits);
        long n = preOutput.size(0);
        INDArray dLogits = v.getSecond().castTo(preOutput.dataType()).muli(n);
        INDArray dPreOutput = activationFn.backprop(preOutput.dup(), dLogits).getFirst();
        return Pair.of(average ? v.getFirst() : v.getFirst() * n, dPreOutput);
    }

    @Override
    public String name() {
        return "mlm";
    }

    @Override
    public String toString() {
        return "MaskedLmLoss(ignoreIndex " + ignoreIndex + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MaskedLmLoss other && other.ignoreIndex == ignoreIndex;
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(ignoreIndex);
    }
}
