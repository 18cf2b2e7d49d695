package io.distillery.student;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.model.VertexNames;
import io.distillery.model.bert.BertConfig;
import io.distillery.model.text.TextEncoderGraph;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TextTargetRecipe;
import java.util.Map;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/** The text student's masked d2v head and loss against a hand computation, and its gradients with padding. */
class TextStudentGraphTest {
    /** vocab 11, hidden 8, 2 layers, 2 heads, FFN 12, 7 positions, 2 token types. */
    private static final BertConfig STUDENT = new BertConfig(11, 8, 2, 2, 12, 7, 2, 1e-12);

    private static final int TOKENS = 5;
    private static final int TARGET_DIM = 6;
    private static final double[][] MASK = {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}, {0, 0, 1, 1, 1}};

    @BeforeEach
    void doubles() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterEach
    void floats() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    private static INDArray[] inputs() {
        INDArray ids = Nd4j.create(new double[][] {{2, 7, 7, 4, 3}, {2, 5, 3, 0, 0}, {0, 0, 2, 7, 3}});
        INDArray types = Nd4j.create(new double[][] {{0, 0, 0, 1, 1}, {0, 1, 1, 0, 0}, {0, 0, 0, 1, 1}});
        return new INDArray[] {ids, types, Nd4j.create(MASK)};
    }

    /** Targets [3, T*D_t], 0 at padding as extract writes them, then the mask. */
    private static INDArray labels(long seed, double padValue) {
        Nd4j.getRandom().setSeed(seed);
        INDArray target = Nd4j.randn(DataType.DOUBLE, 3, (long) TOKENS * TARGET_DIM);
        for (int b = 0; b < 3; b++) {
            for (int t = 0; t < TOKENS; t++) {
                if (MASK[b][t] == 0) {
                    for (int d = 0; d < TARGET_DIM; d++) {
                        target.putScalar(b, t * TARGET_DIM + d, padValue);
                    }
                }
            }
        }
        return Nd4j.hstack(target, Nd4j.create(MASK));
    }

    private static ComputationGraph graph(TextTargetRecipe recipe) {
        ComputationGraph net = new ComputationGraph(TextStudentGraph.configuration(
                STUDENT,
                TOKENS,
                recipe,
                TARGET_DIM,
                TextEncoderGraph.base(42, DataType.DOUBLE).updater(new NoOp())));
        net.init();
        Nd4j.getRandom().setSeed(3);
        INDArray params = net.params();
        params.addi(Nd4j.randn(DataType.DOUBLE, params.shape()).muli(0.5)); // off the init values
        return net;
    }

    @Test
    void headAndLossEqualAHandComputationOverRealTokensOnly() {
        TextTargetRecipe recipe = new TextTargetRecipe(TargetTensor.BLOCK, 2, 1e-5, true);
        ComputationGraph net = graph(recipe);
        Map<String, INDArray> acts = net.feedForward(inputs(), false);
        INDArray w = net.getLayer(TextStudentGraph.HEAD).getParam(StudentTargetHead.PROJECTION_WEIGHT);
        INDArray bias = net.getLayer(TextStudentGraph.HEAD).getParam(StudentTargetHead.PROJECTION_BIAS);
        INDArray labels = labels(5, 0);
        int d = STUDENT.hiddenSize();
        double[][][] expected = new double[3][TOKENS][TARGET_DIM];
        double expectedLoss = 0;
        for (int b = 0; b < 3; b++) {
            double real = 0;
            for (int t = 0; t < TOKENS; t++) {
                real += MASK[b][t];
            }
            double[][] avg = new double[TOKENS][d];
            for (int l = 0; l < 2; l++) {
                INDArray h = acts.get(VertexNames.block(l)).getRow(b);
                for (int c = 0; c < d; c++) {
                    double mean = 0;
                    for (int t = 0; t < TOKENS; t++) {
                        mean += MASK[b][t] * h.getDouble(t * d + c) / real;
                    }
                    double var = 0;
                    for (int t = 0; t < TOKENS; t++) {
                        double x = h.getDouble(t * d + c) - mean;
                        var += MASK[b][t] * x * x / real;
                    }
                    for (int t = 0; t < TOKENS; t++) {
                        avg[t][c] += (h.getDouble(t * d + c) - mean) / Math.sqrt(var + 1e-5) / 2;
                    }
                }
            }
            double rowLoss = 0;
            for (int t = 0; t < TOKENS; t++) {
                if (MASK[b][t] == 0) {
                    continue; // expected stays 0
                }
                double[] y = new double[TARGET_DIM];
                double mean = 0;
                for (int k = 0; k < TARGET_DIM; k++) {
                    y[k] = bias.getDouble(k);
                    for (int c = 0; c < d; c++) {
                        y[k] += w.getDouble(k, c) * avg[t][c];
                    }
                    mean += y[k] / TARGET_DIM;
                }
                double var = 0;
                for (int k = 0; k < TARGET_DIM; k++) {
                    var += (y[k] - mean) * (y[k] - mean) / TARGET_DIM;
                }
                for (int k = 0; k < TARGET_DIM; k++) {
                    expected[b][t][k] = (y[k] - mean) / Math.sqrt(var + 1e-5);
                    double e = expected[b][t][k] - labels.getDouble(b, t * TARGET_DIM + k);
                    rowLoss += e * e / Math.sqrt(TARGET_DIM);
                }
            }
            expectedLoss += rowLoss / real / 3;
        }
        INDArray head = acts.get(TextStudentGraph.HEAD);
        double worst = 0;
        for (int b = 0; b < 3; b++) {
            for (int t = 0; t < TOKENS; t++) {
                for (int k = 0; k < TARGET_DIM; k++) {
                    worst = Math.max(worst, Math.abs(head.getDouble(b, t * TARGET_DIM + k) - expected[b][t][k]));
                }
            }
        }
        assertThat(worst).isLessThan(1e-9);
        org.nd4j.linalg.dataset.MultiDataSet batch =
                new org.nd4j.linalg.dataset.MultiDataSet(inputs(), new INDArray[] {labels});
        assertThat(net.score(batch)).isCloseTo(expectedLoss, org.assertj.core.data.Offset.offset(1e-9));
        // whatever sits in the padded targets changes nothing
        org.nd4j.linalg.dataset.MultiDataSet junk =
                new org.nd4j.linalg.dataset.MultiDataSet(inputs(), new INDArray[] {labels(5, 7.5)});
        assertThat(net.score(junk)).isCloseTo(expectedLoss, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void paddingDoesNotChangeARowsHeadOutput() {
        ComputationGraph net = graph(new TextTargetRecipe(TargetTensor.BLOCK, 1, 1e-5, true));
        INDArray padded = net.feedForward(inputs(), false).get(TextStudentGraph.HEAD);
        // row 1 (3 real tokens then 2 pads) with other ids at its padded positions: same outputs at the real ones
        INDArray[] other = inputs();
        other[0].putScalar(1, 3, 9);
        other[0].putScalar(1, 4, 6);
        INDArray changed = net.feedForward(other, false).get(TextStudentGraph.HEAD);
        assertThat(changed.getRow(1).sub(padded.getRow(1)).amaxNumber().doubleValue())
                .isLessThan(1e-12);
        assertThat(padded.getRow(1)
                        .get(org.nd4j.linalg.indexing.NDArrayIndex.interval(3 * TARGET_DIM, 5 * TARGET_DIM))
                        .amaxNumber()
                        .doubleValue())
                .isZero();
    }

    @Test
    void gradientsMatchFiniteDifferencesWithPadding() {
        for (TextTargetRecipe recipe : new TextTargetRecipe[] {
            new TextTargetRecipe(TargetTensor.BLOCK, 2, 1e-5, true),
            new TextTargetRecipe(TargetTensor.FFN, 1, 1e-5, false)
        }) {
            ComputationGraph net = graph(recipe);
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                    .net(net)
                    .inputs(inputs())
                    .labels(new INDArray[] {labels(11, 0)})
                    .epsilon(1e-6)
                    .maxRelError(1e-4)
                    // the key biases' gradient is exactly 0 (softmax ignores a shift shared by all keys); their
                    // finite differences are rounding noise of ~1e-8 on a score of ~9
                    .minAbsoluteError(1e-7)
                    .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                    .exitOnFirstError(false));
            assertThat(ok).as(recipe.toString()).isTrue();
        }
    }
}
