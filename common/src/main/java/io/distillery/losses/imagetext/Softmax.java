package io.distillery.losses.imagetext;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Row-wise log-softmax and the two losses built on it, on double [N, N] logit matrices whose matching pairs sit on
 * the diagonal (CLIP's {@code labels = arange(N)}). Each returns its value and its gradient w.r.t. the logits.
 */
final class Softmax {

    record Scored(double value, INDArray gradient) {}

    private Softmax() {}

    /** log softmax over each row; the row max is subtracted first so large logits cannot overflow. */
    static INDArray logSoftmaxRows(INDArray z) {
        INDArray shifted = z.subColumnVector(z.max(true, 1));
        INDArray logSum = Transforms.log(Transforms.exp(shifted, true).sum(true, 1), false);
        return shifted.subiColumnVector(logSum);
    }

    /** {@code F.cross_entropy(logits, arange(N))} = mean_i -log softmax(logits)_ii; d/dlogits = (softmax - I)/N. */
    static Scored crossEntropyOnDiagonal(INDArray logits) {
        INDArray logProb = logSoftmaxRows(logits);
        long n = logits.size(0);
        INDArray identity = Nd4j.eye(n).castTo(logits.dataType());
        double value = -logProb.mul(identity).sumNumber().doubleValue() / n;
        INDArray gradient = Transforms.exp(logProb, false).subi(identity).divi((double) n);
        return new Scored(value, gradient);
    }

    /** CLIP's symmetric loss (CE(L) + CE(L^T)) / 2 and its gradient w.r.t. L. */
    static Scored symmetricCrossEntropy(INDArray logits) {
        Scored perImage = crossEntropyOnDiagonal(logits);
        Scored perText = crossEntropyOnDiagonal(logits.transpose());
        return new Scored(
                (perImage.value() + perText.value()) / 2,
                perImage.gradient().addi(perText.gradient().transpose()).divi(2.0));
    }

    /**
     * CLIP-KD's {@code DistillKL(T)(y_s, y_t)}: T^2 (1/N) sum_i KL(softmax(y_t,i/T) || softmax(y_s,i/T)), and its
     * gradient w.r.t. y_s, T (q - p) / N. A zero teacher probability (underflow) has a finite log, so contributes 0.
     */
    static Scored distillKl(INDArray student, INDArray teacher, double temperature) {
        long n = student.size(0);
        INDArray logQ = logSoftmaxRows(student.div(temperature));
        INDArray logP = logSoftmaxRows(teacher.div(temperature));
        INDArray p = Transforms.exp(logP, true);
        double kl = p.mul(logP.sub(logQ)).sumNumber().doubleValue();
        INDArray gradient = Transforms.exp(logQ, false).subi(p).muli(temperature / n);
        return new Scored(kl / n * temperature * temperature, gradient);
    }
}
