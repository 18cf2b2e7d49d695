package io.distillery.model.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/** The MLM cross-entropy against a hand computation, and the MLM graph end to end. */
class MaskedLmLossTest {
    private static final int VOCAB = 4;
    /** Two rows of three positions: predict 1 at (0, 0), 3 at (0, 2) and 0 at (1, 2); -100 elsewhere. */
    private static final double[][] LABELS = {{1, -100, 3}, {-100, -100, 0}};

    private static final double[][] LOGITS = {
        {0.5, -1.0, 2.0, 0.1, /**/ 3.0, 3.0, 3.0, 3.0, /**/ -0.2, 0.7, 1.1, -2.0},
        {9.0, -9.0, 0.0, 1.0, /**/ 0.3, 0.3, -0.3, 0.0, /**/ 1.5, 0.25, -0.75, 0.0}
    };

    @Test
    void theLossIsTheMeanCrossEntropyOverPredictedPositionsOnly() {
        double expected = 0;
        int predicted = 0;
        double[][] grad = new double[2][3 * VOCAB];
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < 3; t++) {
                int label = (int) LABELS[b][t];
                if (label == -100) {
                    continue;
                }
                predicted++;
                double sum = 0;
                for (int v = 0; v < VOCAB; v++) {
                    sum += Math.exp(LOGITS[b][t * VOCAB + v]);
                }
                expected += -Math.log(Math.exp(LOGITS[b][t * VOCAB + label]) / sum);
                for (int v = 0; v < VOCAB; v++) {
                    grad[b][t * VOCAB + v] = Math.exp(LOGITS[b][t * VOCAB + v]) / sum - (v == label ? 1 : 0);
                }
            }
        }
        expected /= predicted;
        Pair<Double, INDArray> result = new MaskedLmLoss()
                .computeGradientAndScore(
                        Nd4j.create(LABELS), Nd4j.create(LOGITS), new ActivationIdentity(), null, true);
        assertThat(result.getFirst()).isCloseTo(expected, within(1e-12));
        // DL4J's convention: the gradient of the mean times the minibatch size (2)
        INDArray expectedGrad = Nd4j.create(grad).muli(2.0 / predicted);
        assertThat(result.getSecond().sub(expectedGrad).amaxNumber().doubleValue())
                .isLessThan(1e-12);
        assertThat(result.getSecond()
                        .get(
                                org.nd4j.linalg.indexing.NDArrayIndex.point(1),
                                org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2 * VOCAB))
                        .amaxNumber()
                        .doubleValue())
                .isZero();
    }

    @Test
    void logitsAtIgnoredPositionsDoNotChangeTheLoss() {
        INDArray logits = Nd4j.create(LOGITS);
        double before =
                new MaskedLmLoss().computeScore(Nd4j.create(LABELS), logits, new ActivationIdentity(), null, true);
        INDArray changed = logits.dup();
        changed.putScalar(0, VOCAB + 2, 50.0); // (0, 1) is ignored
        changed.putScalar(1, 1, -7.0); // (1, 0) is ignored
        double after =
                new MaskedLmLoss().computeScore(Nd4j.create(LABELS), changed, new ActivationIdentity(), null, true);
        assertThat(after).isEqualTo(before);
        INDArray none = Nd4j.valueArrayOf(new long[] {2, 3}, -100.0);
        assertThat(new MaskedLmLoss().computeScore(none, logits, new ActivationIdentity(), null, true))
                .isZero();
    }

    @Test
    void theMlmGraphScoresItsHeadOutputAndLearns() {
        ComputationGraph net = TextEncoderGraph.createMaskedLm(
                TinyText.CONFIG,
                TinyText.TOKENS,
                TextEncoderGraph.base(11, DataType.FLOAT).updater(new Adam(1e-2)));
        INDArray[] inputs = TinyText.inputs(DataType.FLOAT);
        INDArray labels = TinyText.labels(DataType.FLOAT);
        MultiDataSet batch = new MultiDataSet(inputs, new INDArray[] {labels});
        INDArray logits = net.feedForward(inputs, false).get(TextEncoderGraph.MLM_HEAD);
        double expected = new MaskedLmLoss().computeScore(labels, logits, new ActivationIdentity(), null, true);
        double first = net.score(batch);
        assertThat(first).isCloseTo(expected, within(1e-5));
        for (int i = 0; i < 30; i++) {
            net.fit(batch);
        }
        assertThat(net.score(batch)).isLessThan(first / 2);
    }
}
