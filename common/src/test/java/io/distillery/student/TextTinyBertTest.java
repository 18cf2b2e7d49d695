package io.distillery.student;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.distillery.losses.AttentionMapLoss;
import io.distillery.losses.HiddenStateLoss;
import io.distillery.losses.LossInputs;
import io.distillery.losses.LossValue;
import io.distillery.model.VertexNames;
import io.distillery.model.bert.BertConfig;
import io.distillery.model.text.TextEncoderGraph;
import io.distillery.objective.GraphLosses;
import io.distillery.objective.LossSpec;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TextTargetRecipe;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * TinyBERT's hidden-state and attention losses on the text student: {@link PaddedMseLoss} against a hand computation
 * and against the image losses on unpadded rows, the attention layer that emits its probabilities, and finite-
 * difference gradient checks in double of whole graphs with right, left and middle padding.
 */
class TextTinyBertTest {
    /** vocab 11, hidden 8, 2 layers, 2 heads, FFN 12, 7 positions, 2 token types. */
    private static final BertConfig STUDENT = new BertConfig(11, 8, 2, 2, 12, 7, 2, 1e-12);

    private static final int TOKENS = 5;
    private static final int HEADS = 2;
    private static final int TARGET_DIM = 6;
    /** full; right padding; left padding; padding in the middle. */
    private static final double[][] MASK = {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}, {0, 0, 1, 1, 1}, {1, 0, 1, 1, 0}};

    private static final int ROWS = MASK.length;

    @BeforeEach
    void doubles() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterEach
    void floats() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    private static INDArray[] inputs() {
        INDArray ids = Nd4j.create(new double[][] {{2, 7, 7, 4, 3}, {2, 5, 3, 0, 0}, {0, 0, 2, 7, 3}, {2, 0, 9, 8, 0}});
        INDArray types =
                Nd4j.create(new double[][] {{0, 0, 0, 1, 1}, {0, 1, 1, 0, 0}, {0, 0, 0, 1, 1}, {0, 0, 1, 1, 0}});
        return new INDArray[] {ids, types, Nd4j.create(MASK)};
    }

    private static LossSpec spec(int i, String type, double weight, String column, int block) {
        return new LossSpec("distillery.train.losses[" + i + "]", type, weight, Map.of(), column, block);
    }

    /** The objective of {@code specs} with the widths of this test's columns. */
    private static StudentObjective objective(LossSpec... specs) {
        Map<String, Integer> widths = new HashMap<>();
        widths.put("target", TOKENS * TARGET_DIM);
        widths.put("layer_01", TOKENS * STUDENT.hiddenSize());
        widths.put("layer_02", TOKENS * TARGET_DIM);
        widths.put("attention_01", HEADS * TOKENS * TOKENS);
        widths.put("attention_02", HEADS * TOKENS * TOKENS);
        widths.put("attention_03", 3 * TOKENS * TOKENS);
        return new StudentObjective(List.of(specs), 0, widths);
    }

    private static ComputationGraph graph(StudentObjective objective) {
        ComputationGraph net = new ComputationGraph(TextStudentGraph.configuration(
                STUDENT,
                TOKENS,
                new TextTargetRecipe(TargetTensor.BLOCK, 2, 1e-5, true),
                TARGET_DIM,
                objective,
                TextEncoderGraph.base(42, DataType.DOUBLE).updater(new NoOp())));
        net.init();
        Nd4j.getRandom().setSeed(3);
        INDArray params = net.params();
        params.addi(Nd4j.randn(DataType.DOUBLE, params.shape()).muli(0.5)); // off the init values
        return net;
    }

    /** A teacher row block: random tokens or random row-stochastic maps (padded keys 0), then the mask. */
    private static INDArray labels(StudentObjective.Output out, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray teacher;
        if (out.teacherColumn().startsWith("attention_")) {
            int heads = out.teacherWidth() / (TOKENS * TOKENS);
            teacher = Nd4j.rand(DataType.DOUBLE, ROWS, heads, TOKENS, TOKENS);
            for (int b = 0; b < ROWS; b++) {
                for (int h = 0; h < heads; h++) {
                    for (int q = 0; q < TOKENS; q++) {
                        double sum = 0;
                        for (int k = 0; k < TOKENS; k++) {
                            double v = teacher.getDouble(b, h, q, k) * MASK[b][k];
                            teacher.putScalar(new long[] {b, h, q, k}, v);
                            sum += v;
                        }
                        for (int k = 0; k < TOKENS; k++) {
                            teacher.putScalar(new long[] {b, h, q, k}, teacher.getDouble(b, h, q, k) / sum);
                        }
                    }
                }
            }
            teacher = teacher.reshape(ROWS, out.teacherWidth());
        } else {
            teacher = Nd4j.randn(DataType.DOUBLE, ROWS, out.teacherWidth());
        }
        return Nd4j.hstack(teacher, Nd4j.create(MASK));
    }

    private static INDArray[] labels(StudentObjective objective) {
        List<StudentObjective.Output> outputs = objective.outputs();
        INDArray[] labels = new INDArray[outputs.size()];
        for (int o = 0; o < labels.length; o++) {
            labels[o] = labels(outputs.get(o), 17 + o);
        }
        return labels;
    }

    // ---- the loss function alone ----

    @Test
    void onUnpaddedRowsTheLossesEqualTheImageLossesExactly() {
        Nd4j.getRandom().setSeed(5);
        int dim = 3;
        INDArray full = Nd4j.ones(DataType.DOUBLE, 2, TOKENS);
        INDArray s = Nd4j.randn(DataType.DOUBLE, 2, TOKENS * dim);
        INDArray t = Nd4j.randn(DataType.DOUBLE, 2, TOKENS * dim);
        LossValue image = new HiddenStateLoss()
                .compute(new LossInputs(s.reshape(2, TOKENS, dim), t.reshape(2, TOKENS, dim), null, Double.NaN));
        PaddedMseLoss hidden = PaddedMseLoss.hidden(TOKENS, 1.0);
        INDArray labels = Nd4j.hstack(t, full);
        assertThat(hidden.computeScore(labels, s, new ActivationIdentity(), null, true))
                .isCloseTo(image.value(), within(1e-15));
        // DL4J's convention: the gradient of the sum over rows, i.e. the mean's times the batch size
        INDArray grad = hidden.computeGradient(labels, s, new ActivationIdentity(), null);
        assertThat(grad.sub(image.gradient().reshape(2, TOKENS * dim).mul(2))
                        .amaxNumber()
                        .doubleValue())
                .isLessThan(1e-15);

        INDArray sa = Nd4j.rand(DataType.DOUBLE, 2, HEADS * TOKENS * TOKENS);
        INDArray ta = Nd4j.rand(DataType.DOUBLE, 2, HEADS * TOKENS * TOKENS);
        LossValue imageMaps = new AttentionMapLoss()
                .compute(new LossInputs(
                        sa.reshape(2, HEADS, TOKENS, TOKENS), ta.reshape(2, HEADS, TOKENS, TOKENS), null, Double.NaN));
        PaddedMseLoss maps = PaddedMseLoss.attention(TOKENS, HEADS, 1.0);
        INDArray mapLabels = Nd4j.hstack(ta, full);
        assertThat(maps.computeScore(mapLabels, sa, new ActivationIdentity(), null, true))
                .isCloseTo(imageMaps.value(), within(1e-15));
        assertThat(maps.computeGradient(mapLabels, sa, new ActivationIdentity(), null)
                        .sub(imageMaps
                                .gradient()
                                .reshape(2, HEADS * TOKENS * TOKENS)
                                .mul(2))
                        .amaxNumber()
                        .doubleValue())
                .isLessThan(1e-15);
    }

    @Test
    void paddedPositionsAreLeftOutAsAHandComputationDoes() {
        Nd4j.getRandom().setSeed(7);
        int dim = 3;
        double[][] mask = {{1, 1, 1, 0, 0}, {0, 0, 0, 0, 0}, {0, 1, 0, 1, 1}};
        INDArray m = Nd4j.create(mask);
        INDArray s = Nd4j.randn(DataType.DOUBLE, 3, TOKENS * dim);
        INDArray t = Nd4j.randn(DataType.DOUBLE, 3, TOKENS * dim);
        double expected = 0;
        for (int b = 0; b < 3; b++) {
            double n = 0;
            double sum = 0;
            for (int tok = 0; tok < TOKENS; tok++) {
                n += mask[b][tok];
                for (int d = 0; d < dim; d++) {
                    double e = s.getDouble(b, tok * dim + d) - t.getDouble(b, tok * dim + d);
                    sum += mask[b][tok] * e * e;
                }
            }
            expected += n == 0 ? 0 : sum / (n * dim) / 3; // a text without real tokens contributes 0
        }
        PaddedMseLoss hidden = PaddedMseLoss.hidden(TOKENS, 0.5);
        assertThat(hidden.computeScore(Nd4j.hstack(t, m), s, new ActivationIdentity(), null, true))
                .isCloseTo(0.5 * expected, within(1e-14));

        INDArray sa = Nd4j.rand(DataType.DOUBLE, 3, HEADS * TOKENS * TOKENS);
        INDArray ta = Nd4j.rand(DataType.DOUBLE, 3, HEADS * TOKENS * TOKENS);
        double expectedMaps = 0;
        for (int b = 0; b < 3; b++) {
            double n = 0;
            for (int tok = 0; tok < TOKENS; tok++) {
                n += mask[b][tok];
            }
            double sum = 0;
            for (int h = 0; h < HEADS; h++) {
                for (int q = 0; q < TOKENS; q++) {
                    for (int k = 0; k < TOKENS; k++) {
                        long i = (long) h * TOKENS * TOKENS + (long) q * TOKENS + k;
                        double e = sa.getDouble(b, i) - ta.getDouble(b, i);
                        sum += mask[b][q] * mask[b][k] * e * e;
                    }
                }
            }
            expectedMaps += n == 0 ? 0 : sum / (HEADS * n * n) / 3;
        }
        PaddedMseLoss maps = PaddedMseLoss.attention(TOKENS, HEADS, 2.0);
        assertThat(maps.computeScore(Nd4j.hstack(ta, m), sa, new ActivationIdentity(), null, true))
                .isCloseTo(2.0 * expectedMaps, within(1e-14));
        // whatever the teacher holds at padded positions changes nothing
        INDArray junk = ta.dup();
        junk.putScalar(0, 4, 9.0); // row 0, head 0, query 0, key 4 (padded)
        junk.putScalar(2, TOKENS * TOKENS + 2 * TOKENS + 1, -3.0); // row 2, head 1, padded query 2
        assertThat(maps.computeScore(Nd4j.hstack(junk, m), sa, new ActivationIdentity(), null, true))
                .isCloseTo(2.0 * expectedMaps, within(1e-14));
    }

    @Test
    void theD2vWeightScalesItsScoreAndGradient() {
        Nd4j.getRandom().setSeed(4);
        INDArray y = Nd4j.randn(DataType.DOUBLE, ROWS, TOKENS * 3L);
        INDArray labels = Nd4j.hstack(Nd4j.randn(DataType.DOUBLE, ROWS, TOKENS * 3L), Nd4j.create(MASK));
        TokenD2vLoss one = new TokenD2vLoss(TOKENS);
        TokenD2vLoss two = new TokenD2vLoss(TOKENS, 2.0);
        assertThat(two.computeScore(labels, y, new ActivationIdentity(), null, true))
                .isCloseTo(2 * one.computeScore(labels, y, new ActivationIdentity(), null, true), within(1e-12));
        assertThat(two.computeGradient(labels, y, new ActivationIdentity(), null)
                        .sub(one.computeGradient(labels, y, new ActivationIdentity(), null)
                                .mul(2))
                        .amaxNumber()
                        .doubleValue())
                .isLessThan(1e-12);
        assertThat(new TokenD2vLoss(TOKENS, 1.0)).isEqualTo(one);
    }

    @Test
    void lossGradientsMatchFiniteDifferences() {
        Nd4j.getRandom().setSeed(9);
        INDArray m = Nd4j.create(MASK);
        PaddedMseLoss[] losses = {PaddedMseLoss.hidden(TOKENS, 0.7), PaddedMseLoss.attention(TOKENS, HEADS, 1.3)};
        for (PaddedMseLoss loss : losses) {
            long width = loss.getHeads() > 0 ? (long) HEADS * TOKENS * TOKENS : TOKENS * 3L;
            INDArray y = Nd4j.randn(DataType.DOUBLE, ROWS, width);
            INDArray labels = Nd4j.hstack(Nd4j.randn(DataType.DOUBLE, ROWS, width), m);
            INDArray grad = loss.computeGradient(labels, y, new ActivationIdentity(), null);
            double worst = 0;
            for (int i = 0; i < y.length(); i++) {
                double v = y.getDouble(i);
                double eps = 1e-6;
                y.putScalar(i, v + eps);
                double plus = loss.computeScore(labels, y, new ActivationIdentity(), null, false);
                y.putScalar(i, v - eps);
                double minus = loss.computeScore(labels, y, new ActivationIdentity(), null, false);
                y.putScalar(i, v);
                double numeric = (plus - minus) / (2 * eps);
                double analytic = grad.getDouble(i);
                double scale = Math.max(Math.abs(numeric) + Math.abs(analytic), 1e-8);
                worst = Math.max(worst, Math.abs(numeric - analytic) / scale);
            }
            System.out.printf("%s: max relative error of the loss gradient %.3e%n", loss, worst);
            assertThat(worst).as(loss.toString()).isLessThan(1e-6);
        }
    }

    // ---- the graph ----

    @Test
    void theProbabilityEmittingAttentionChangesNothingElseAndZeroesPaddedKeys() {
        ComputationGraph plain = graph(objective(spec(0, "d2v", 1.0, "target", 0)));
        ComputationGraph maps = graph(objective(
                spec(0, "d2v", 1.0, "target", 0),
                spec(1, "attention", 1.0, "attention_01", 1),
                spec(2, "attention", 1.0, "attention_02", 2)));
        assertThat(maps.params().length()).isEqualTo(plain.params().length());
        maps.setParams(plain.params());
        Map<String, INDArray> a = plain.feedForward(inputs(), false);
        Map<String, INDArray> b = maps.feedForward(inputs(), false);
        for (int n = 0; n < 2; n++) {
            assertThat(b.get(VertexNames.block(n))).isEqualTo(a.get(VertexNames.block(n)));
            INDArray probs = b.get(VertexNames.attentionProbabilities(n)).reshape(ROWS, HEADS, TOKENS, TOKENS);
            for (int r = 0; r < ROWS; r++) {
                for (int h = 0; h < HEADS; h++) {
                    for (int q = 0; q < TOKENS; q++) {
                        double sum = 0;
                        for (int k = 0; k < TOKENS; k++) {
                            double p = probs.getDouble(r, h, q, k);
                            if (MASK[r][k] == 0) {
                                assertThat(p).isZero(); // exactly
                            }
                            sum += p;
                        }
                        assertThat(sum).isCloseTo(1.0, within(1e-12));
                    }
                }
            }
        }
        assertThat(b.get(TextStudentGraph.HEAD)).isEqualTo(a.get(TextStudentGraph.HEAD));
    }

    /**
     * Max relative error {@code |a - n| / (|a| + |n|)} of backprop (a) against central differences (n, epsilon 1e-6)
     * of the score over a seeded quarter of the parameters, as DL4J's GradientCheckUtil computes it, but returning the
     * number.
     */
    private static double maxRelativeError(ComputationGraph net, INDArray[] labels) {
        MultiDataSet data = new MultiDataSet(inputs(), labels);
        net.setInputs(inputs());
        net.setLabels(labels);
        net.computeGradientAndScore();
        INDArray grad = net.gradient().gradient().dup();
        INDArray params = net.params();
        double eps = 1e-6;
        double worst = 0;
        double biggest = 0;
        // a seeded quarter of the parameters: every layer is hit many times, at a quarter of the run time (DL4J's
        // score call dominates: two per checked parameter)
        java.util.Random pick = new java.util.Random(11);
        for (long i = 0; i < params.length(); i++) {
            if (pick.nextInt(4) != 0) {
                continue;
            }
            double v = params.getDouble(i);
            params.putScalar(i, v + eps);
            double plus = net.score(data, true);
            params.putScalar(i, v - eps);
            double minus = net.score(data, true);
            params.putScalar(i, v);
            double numeric = (plus - minus) / (2 * eps) * ROWS; // the gradient is of the sum over rows
            double analytic = grad.getDouble(i);
            biggest = Math.max(biggest, Math.abs(analytic));
            if (Math.abs(numeric) + Math.abs(analytic) < 1e-6) {
                continue; // an exact 0 and rounding noise (the key biases: softmax ignores a shift of all keys)
            }
            worst = Math.max(worst, Math.abs(numeric - analytic) / (Math.abs(numeric) + Math.abs(analytic)));
        }
        assertThat(biggest).as("largest gradient").isGreaterThan(1e-3);
        return worst;
    }

    @Test
    void gradientsMatchFiniteDifferencesWithRightLeftAndMiddlePadding() {
        List<StudentObjective> objectives = new ArrayList<>();
        // d2v, a projected hidden loss (8 -> 6) and attention on layer 1
        objectives.add(objective(
                spec(0, "d2v", 1.0, "target", 0),
                spec(1, "hidden", 0.5, "layer_02", 1),
                spec(2, "attention", 2.0, "attention_02", 1)));
        // no d2v: hidden on the last layer (same width), attention on both layers
        objectives.add(objective(
                spec(0, "hidden", 1.0, "layer_01", 2),
                spec(1, "attention", 1.0, "attention_01", 1),
                spec(2, "attention", 0.5, "attention_02", 2)));
        // a projected hidden loss alone
        objectives.add(objective(spec(0, "hidden", 1.0, "layer_02", 2)));
        for (StudentObjective objective : objectives) {
            ComputationGraph net = graph(objective);
            INDArray[] labels = labels(objective);
            double worst = maxRelativeError(net, labels);
            System.out.printf(
                    "text TinyBERT gradient check %s: max relative error %.3e%n",
                    objective.specs().stream()
                            .map(x -> x.type() + "@" + x.studentBlock() + "/" + x.teacherColumn())
                            .toList(),
                    worst);
            assertThat(worst).as(objective.specs().toString()).isLessThan(1e-4);
        }
    }

    @Test
    void configsSurviveJsonAndAD2vOnlyGraphIsBuiltAsBefore() {
        StudentObjective objective = objective(
                spec(0, "d2v", 2.0, "target", 0),
                spec(1, "hidden", 0.5, "layer_02", 1),
                spec(2, "attention", 1.5, "attention_02", 2));
        ComputationGraphConfiguration conf = TextStudentGraph.configuration(
                STUDENT,
                TOKENS,
                new TextTargetRecipe(TargetTensor.BLOCK, 2, 1e-5, true),
                TARGET_DIM,
                objective,
                TextEncoderGraph.base(42, DataType.DOUBLE));
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertThat(back.getNetworkOutputs()).containsExactly(TextStudentGraph.LOSS, "hidden.1", "attention.2");
        for (String output : back.getNetworkOutputs()) {
            assertThat(GraphLosses.lossOf(back.getVertices().get(output)))
                    .isEqualTo(GraphLosses.lossOf(conf.getVertices().get(output)));
        }
        assertThat(GraphLosses.lossOf(back.getVertices().get(TextStudentGraph.LOSS)))
                .isEqualTo(new TokenD2vLoss(TOKENS, 2.0));
        assertThat(GraphLosses.lossOf(back.getVertices().get("attention.2")))
                .isEqualTo(PaddedMseLoss.attention(TOKENS, HEADS, 1.5));
        // d2v alone at weight 1: no probability-emitting layer, and the loss's JSON has no weight key
        String d2vOnly = TextStudentGraph.configuration(
                        STUDENT,
                        TOKENS,
                        new TextTargetRecipe(TargetTensor.BLOCK, 2, 1e-5, true),
                        TARGET_DIM,
                        TextEncoderGraph.base(42, DataType.DOUBLE))
                .toJson();
        assertThat(d2vOnly).doesNotContain("MaskedAttentionMap").doesNotContain("\"weight\"");
        assertThat(d2vOnly).contains("TokenD2vLoss");
    }

    @Test
    void headCountsMustAgreeAndTheLastLayerMustFeedALoss() {
        assertThatThrownBy(() -> graph(
                        objective(spec(0, "d2v", 1.0, "target", 0), spec(1, "attention", 1.0, "attention_03", 1))))
                .hasMessageContaining("losses[1] (attention)")
                .hasMessageContaining("3 heads")
                .hasMessageContaining("the student has 2 heads");
        assertThatThrownBy(() -> graph(objective(spec(0, "hidden", 1.0, "layer_01", 1))))
                .hasMessageContaining("set student.depth = 1");
        assertThatThrownBy(() -> graph(
                        objective(spec(0, "hidden", 1.0, "layer_01", 1), spec(1, "attention", 1.0, "attention_01", 2))))
                .hasMessageContaining("losses[1] (attention) reads the attention maps of student layer 2");
        assertThatThrownBy(() -> graph(objective(spec(0, "hidden", 1.0, "layer_01", 3))))
                .hasMessageContaining("student-block 3 is not a layer");
    }
}
