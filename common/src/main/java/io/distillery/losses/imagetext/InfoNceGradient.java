package io.distillery.losses.imagetext;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * CLIP-KD's {@code get_grad(p, k, tau, arange N)}: the gradients of CE(p k^T / tau, arange N) w.r.t. the anchors p
 * and the keys k, both [N, D]:
 * <pre>
 *   Z = p k^T / tau,   P = rowsoftmax(Z),   E = P - I,   grad_p = E k / tau / N,   grad_k = E^T p / tau / N
 * </pre>
 * and, for the student's side, the backward of that map: given dL/dgrad_p (A) and dL/dgrad_k (B),
 * <pre>
 *   dE = (A k^T + p B^T) / (tau N),   dZ = P o (dE - rowsum(dE o P))
 *   dp = E B / (tau N) + dZ k / tau,   dk = E^T A / (tau N) + dZ^T p / tau
 *   dtau = -(sum(A o grad_p) + sum(B o grad_k) + sum(dZ o Z)) / tau
 * </pre>
 */
final class InfoNceGradient {

    record Backward(INDArray dAnchors, INDArray dKeys, double dTau) {}

    private final INDArray anchors;
    private final INDArray keys;
    private final double tau;
    private final INDArray logits;
    private final INDArray prob;
    private final INDArray error;
    private final INDArray anchorGradient;
    private final INDArray keyGradient;

    InfoNceGradient(INDArray anchors, INDArray keys, double tau) {
        this.anchors = anchors;
        this.keys = keys;
        this.tau = tau;
        long n = anchors.size(0);
        logits = anchors.mmul(keys.transpose()).divi(tau);
        prob = Transforms.exp(Softmax.logSoftmaxRows(logits), false);
        error = prob.sub(Nd4j.eye(n).castTo(prob.dataType()));
        anchorGradient = error.mmul(keys).divi(tau).divi((double) n);
        keyGradient = error.transpose().mmul(anchors).divi(tau).divi((double) n);
    }

    /** get_grad's grad_p [N, D]. */
    INDArray anchorGradient() {
        return anchorGradient;
    }

    /** get_grad's grad_k [N, D]. */
    INDArray keyGradient() {
        return keyGradient;
    }

    Backward backward(INDArray dAnchorGradient, INDArray dKeyGradient) {
        double c = 1 / (tau * anchors.size(0));
        INDArray dError = dAnchorGradient
                .mmul(keys.transpose())
                .addi(anchors.mmul(dKeyGradient.transpose()))
                .muli(c);
        INDArray dLogits = prob.mul(dError.subColumnVector(dError.mul(prob).sum(true, 1)));
        INDArray dAnchors =
                error.mmul(dKeyGradient).muli(c).addi(dLogits.mmul(keys).divi(tau));
        INDArray dKeys = error.transpose()
                .mmul(dAnchorGradient)
                .muli(c)
                .addi(dLogits.transpose().mmul(anchors).divi(tau));
        double dTau =
                -(sum(dAnchorGradient, anchorGradient) + sum(dKeyGradient, keyGradient) + sum(dLogits, logits)) / tau;
        return new Backward(dAnchors, dKeys, dTau);
    }

    private static double sum(INDArray a, INDArray b) {
        return a.mul(b).sumNumber().doubleValue();
    }
}
