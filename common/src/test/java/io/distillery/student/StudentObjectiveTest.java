package io.distillery.student;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.distillery.model.ModelConfig;
import io.distillery.model.ModelFamily;
import io.distillery.objective.GraphLosses;
import io.distillery.objective.LossSpec;
import io.distillery.targets.TargetRecipe;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TargetTokens;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * The training graph of a multi-loss objective: finite-difference check of the classifier head with every logit loss,
 * the feature losses (cosine through a projection, pkt), hidden-state losses (with and without a per-token
 * projection) and a weighted d2v together; output order and label layout;
 * the epoch reaching DKD; what is refused.
 */
class StudentObjectiveTest {
    private static final int CLASSES = 3;
    private static final int TEACHER_DIM = 6;
    private static final int TARGET_DIM = 12;

    private static ModelConfig tiny() {
        return new ModelConfig(
                ModelFamily.DATA2VEC2,
                8,
                4,
                3,
                8,
                2,
                2,
                2.0,
                true,
                1e-6,
                0.0,
                false,
                false,
                new double[] {0.5, 0.5, 0.5},
                new double[] {0.25, 0.25, 0.25},
                0);
    }

    private static LossSpec spec(int i, String type, double weight, Map<String, Double> params, String column) {
        return new LossSpec("distillery.train.losses[" + i + "]", type, weight, params, column, 0);
    }

    /**
     * d2v 0.5 + kd + 0.5 ce + dkd (in warm-up) + lskd + cosine (projected 8 -> 6) + pkt (8 vs 6) + hidden on block 1
     * (projected 8 -> 6 per token) + hidden on block 2 (same width, 5 tokens).
     */
    private static StudentObjective everything() {
        return new StudentObjective(
                List.of(
                        spec(0, "d2v", 0.5, Map.of(), "target"),
                        spec(1, "kd", 1.0, Map.of("temperature", 2.0), "logits"),
                        spec(2, "ce", 0.5, Map.of(), null),
                        spec(3, "dkd", 1.0, Map.of("warmup", 4.0), "logits"),
                        spec(4, "lskd", 1.0, Map.of(), "logits"),
                        spec(5, "cosine", 1.0, Map.of(), "pooled"),
                        spec(6, "pkt", 2.0, Map.of(), "cls"),
                        new LossSpec("distillery.train.losses[7]", "hidden", 1.0, Map.of(), "layer_02", 1),
                        new LossSpec("distillery.train.losses[8]", "hidden", 0.5, Map.of(), "layer_01", 2)),
                CLASSES,
                Map.of(
                        "target",
                        4 * TARGET_DIM,
                        "logits",
                        CLASSES,
                        "pooled",
                        TEACHER_DIM,
                        "cls",
                        TEACHER_DIM,
                        "layer_02",
                        5 * TEACHER_DIM,
                        "layer_01",
                        5 * 8));
    }

    private static ComputationGraph graph(StudentObjective objective, DataType type) {
        ComputationGraph net = new ComputationGraph(StudentGraph.configuration(
                tiny(),
                new TargetRecipe(TargetTensor.BLOCK, TargetTokens.PATCHES, 2, 1e-5),
                TARGET_DIM,
                new NeuralNetConfiguration.Builder().seed(11).dataType(type).updater(new NoOp()),
                type,
                objective));
        net.init();
        return net;
    }

    /** One labels array per output, in the objective's order and layout. */
    private static INDArray[] labels(StudentObjective objective, DataType type) {
        List<StudentObjective.Output> outputs = objective.outputs();
        INDArray[] labels = new INDArray[outputs.size()];
        for (int o = 0; o < labels.length; o++) {
            StudentObjective.Output out = outputs.get(o);
            INDArray teacher = Nd4j.randn(type, 2, out.teacherWidth());
            if (out.classes() > 0) {
                INDArray oneHot = Nd4j.zeros(type, 2, out.classes());
                oneHot.putScalar(0, 2, 1);
                oneHot.putScalar(1, 0, 1);
                teacher = out.teacherWidth() > 0 ? Nd4j.hstack(teacher, oneHot) : oneHot;
            }
            labels[o] = teacher;
        }
        return labels;
    }

    @Test
    void outputsComeInAFixedOrderWithTheirLabelLayouts() {
        StudentObjective objective = everything();
        assertThat(objective.outputs())
                .extracting(StudentObjective.Output::vertex)
                .containsExactly("loss", "head", "feature.5", "feature.6", "hidden.7", "hidden.8");
        StudentObjective.Output head = objective.outputs().get(1);
        assertThat(head.teacherColumn()).isEqualTo("logits");
        assertThat(head.labelWidth()).as("[teacher logits | one-hot]").isEqualTo(2 * CLASSES);
        ComputationGraph net = graph(objective, DataType.FLOAT);
        assertThat(net.getConfiguration().getNetworkOutputs())
                .containsExactly("loss", "head", "feature.5", "feature.6", "hidden.7", "hidden.8");
        assertThat(net.getLayer("feature.5.proj").getParam("W").shape()).containsExactly(8, TEACHER_DIM);
        assertThat(net.getConfiguration().getVertices())
                .as("pkt compares similarity structure only")
                .doesNotContainKey("feature.6.proj");
        assertThat(net.getLayer("head").getParam("W").shape()).containsExactly(8, CLASSES);
        assertThat(net.getLayer("hidden.7.proj").getParam("W").shape()).containsExactly(TEACHER_DIM, 8);
        assertThat(net.getConfiguration().getVertexInputs().get("hidden.7.proj"))
                .containsExactly("blocks.0");
        assertThat(net.getConfiguration().getVertexInputs().get("hidden.8")).containsExactly("blocks.1");
        ComputationGraphConfiguration back =
                ComputationGraphConfiguration.fromJson(net.getConfiguration().toJson());
        assertThat(back).isEqualTo(net.getConfiguration());
    }

    @Test
    void theGraphLossIsTheWeightedSumOfItsTerms() {
        StudentObjective objective = everything();
        ComputationGraph net = graph(objective, DataType.DOUBLE);
        INDArray images = Nd4j.randn(DataType.DOUBLE, 2, 3, 8, 8);
        INDArray[] labels = labels(objective, DataType.DOUBLE);
        GraphLosses.setEpoch(net, 1);
        net.setInputs(images);
        net.setLabels(labels);
        net.computeGradientAndScore();
        double warm = net.score();
        GraphLosses.setEpoch(net, 100);
        net.computeGradientAndScore();
        double full = net.score();
        assertThat(full)
                .as("dkd's weight grows from 1/4 to 1 after its warm-up")
                .isGreaterThan(warm);

        StudentObjective d2vHalf = new StudentObjective(
                List.of(spec(0, "d2v", 0.5, Map.of(), "target")), 0, Map.of("target", 4 * TARGET_DIM));
        ComputationGraph half = graph(d2vHalf, DataType.DOUBLE);
        ComputationGraph one = graph(StudentObjective.d2vOnly(), DataType.DOUBLE);
        half.setParams(one.params());
        for (ComputationGraph g : List.of(half, one)) {
            g.setInputs(images);
            g.setLabels(labels[0]);
            g.computeGradientAndScore();
        }
        assertThat(half.score()).isCloseTo(one.score() / 2, within(1e-12));
    }

    /** The classifier head, every logit loss, both feature losses, both hidden ones and d2v: ~2k parameters, ~1 min. */
    @Test
    void multiLossGradientsMatchFiniteDifferences() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            StudentObjective objective = everything();
            ComputationGraph net = graph(objective, DataType.DOUBLE);
            Nd4j.getRandom().setSeed(3);
            net.params().addi(Nd4j.randn(DataType.DOUBLE, net.params().shape()).muli(0.2));
            GraphLosses.setEpoch(net, 2);
            INDArray images = Nd4j.randn(DataType.DOUBLE, 2, 3, 8, 8);
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                    .net(net)
                    .inputs(new INDArray[] {images})
                    .labels(labels(objective, DataType.DOUBLE))
                    .epsilon(1e-6)
                    .maxRelError(1e-3)
                    .minAbsoluteError(1e-8)
                    .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                    .exitOnFirstError(false));
            assertThat(ok).isTrue();
        } finally {
            Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        }
    }

    /** d2v 0.5 + attention on block 1 + 0.5 attention on block 2 (teacher maps of 2 heads x 5 x 5 tokens). */
    private static StudentObjective withAttention() {
        return new StudentObjective(
                List.of(
                        spec(0, "d2v", 0.5, Map.of(), "target"),
                        new LossSpec("distillery.train.losses[1]", "attention", 1.0, Map.of(), "attention_03", 1),
                        new LossSpec("distillery.train.losses[2]", "attention", 0.5, Map.of(), "attention_01", 2)),
                0,
                Map.of("target", 4 * TARGET_DIM, "attention_03", 2 * 5 * 5, "attention_01", 2 * 5 * 5));
    }

    /**
     * The probabilities reach the loss and their gradient reaches the attention's backward pass (added to the one
     * through the context): finite differences over every parameter, the d2v head's path included.
     */
    @Test
    void attentionMapGradientsMatchFiniteDifferences() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            StudentObjective objective = withAttention();
            ComputationGraph net = graph(objective, DataType.DOUBLE);
            assertThat(net.getConfiguration().getNetworkOutputs())
                    .containsExactly("loss", "attention.1", "attention.2");
            Nd4j.getRandom().setSeed(5);
            net.params().addi(Nd4j.randn(DataType.DOUBLE, net.params().shape()).muli(0.5));
            INDArray images = Nd4j.randn(DataType.DOUBLE, 2, 3, 8, 8);
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                    .net(net)
                    .inputs(new INDArray[] {images})
                    .labels(labels(objective, DataType.DOUBLE))
                    .epsilon(1e-6)
                    .maxRelError(1e-3)
                    .minAbsoluteError(1e-8)
                    .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                    .exitOnFirstError(false));
            assertThat(ok).isTrue();
        } finally {
            Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        }
    }

    /**
     * A block that emits its attention maps computes what the plain block does (the split graph changes nothing on
     * the residual path), and the maps are those the teacher side stores (the encoder's attention probabilities).
     */
    @Test
    void emittedAttentionMapsAreTheEncodersProbabilities() {
        ComputationGraph net = graph(withAttention(), DataType.FLOAT);
        Nd4j.getRandom().setSeed(7);
        INDArray images = Nd4j.randn(DataType.FLOAT, 2, 3, 8, 8);
        Map<String, INDArray> acts = net.feedForward(new INDArray[] {images}, false, false);
        var encoder = StudentWeights.toEncoder(net, tiny());
        try (var plain = encoder.forward(images, java.util.Set.of(0, 1))) {
            for (int b = 0; b < 2; b++) {
                INDArray probs = acts.get("blocks." + b + ".attn.probs");
                assertThat(probs.shape()).containsExactly(2, 2 * 5 * 5);
                INDArray expected = plain.attention().get(b).reshape(2, 2 * 5 * 5);
                assertThat(probs.sub(expected).amaxNumber().doubleValue())
                        .as("block %d probabilities", b)
                        .isLessThan(1e-6);
                INDArray block = acts.get("blocks." + b);
                assertThat(block.sub(plain.blockOutputs().get(b).reshape(block.shape()))
                                .amaxNumber()
                                .doubleValue())
                        .as("block %d output", b)
                        .isLessThan(1e-6);
            }
        }
        assertThat(net.getConfiguration().getVertexInputs().get("attention.1")).containsExactly("blocks.0.attn.probs");
        assertThat(net.getConfiguration().getVertexInputs().get("blocks.0.mlp")).containsExactly("blocks.0.attn.out");
    }

    /**
     * The graph config of the default objective (d2v alone, weight 1) is byte for byte the config the d2v-only code
     * built before losses were configurable (resource written by commit 7d3f22d's {@code StudentGraph}).
     */
    @Test
    void theDefaultObjectiveBuildsExactlyTheGraphOfBefore() throws Exception {
        String before;
        try (var in = StudentObjectiveTest.class.getResourceAsStream("/student/d2v-graph-before-losses.json")) {
            before = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Optimization opt = new Optimization(1e-3, 1e-5, 2, 20, 0.05, 0.9, 0.95, 1.0, 7);
        TargetRecipe recipe = new TargetRecipe(TargetTensor.FFN, TargetTokens.PATCHES, 2, 1e-5);
        assertThat(StudentGraph.configuration(tiny(), recipe, TARGET_DIM, opt, DataType.FLOAT)
                        .toJson())
                .isEqualTo(before);
        StudentObjective parsedDefault = new StudentObjective(
                List.of(spec(0, "d2v", 1.0, Map.of(), "target")), 0, Map.of("target", 4 * TARGET_DIM));
        assertThat(StudentGraph.configuration(
                                tiny(), recipe, TARGET_DIM, opt.builder(DataType.FLOAT), DataType.FLOAT, parsedDefault)
                        .toJson())
                .isEqualTo(before);
    }

    @Test
    void lossesTheGraphCannotServeAreRefused() {
        assertThatThrownBy(() ->
                        new StudentObjective(List.of(spec(0, "kd", 1.0, Map.of(), "logits")), 1, Map.of("logits", 1)))
                .hasMessageContaining(
                        "distillery.train.losses[0] (kd) needs a classifier of at least 2 classes, got 1");
        StudentObjective threeHeads = new StudentObjective(
                List.of(
                        new LossSpec("distillery.train.losses[0]", "attention", 1.0, Map.of(), "attention_01", 2),
                        spec(1, "d2v", 1.0, Map.of(), "target")),
                0,
                Map.of("attention_01", 3 * 5 * 5, "target", 4 * TARGET_DIM));
        assertThatThrownBy(() -> graph(threeHeads, DataType.FLOAT))
                .hasMessage("distillery.train.losses[0] (attention): teacher column 'attention_01' has 3 heads of 5 x 5"
                        + " tokens but the student has 2 heads of 5 x 5 tokens; attention maps are compared head by"
                        + " head");
        StudentObjective attentionOnly = new StudentObjective(
                List.of(
                        new LossSpec("distillery.train.losses[0]", "hidden", 1.0, Map.of(), "layer_02", 1),
                        new LossSpec("distillery.train.losses[1]", "attention", 1.0, Map.of(), "attention_01", 2)),
                0,
                Map.of("layer_02", 5 * 8, "attention_01", 2 * 5 * 5));
        assertThatThrownBy(() -> graph(attentionOnly, DataType.FLOAT))
                .hasMessage("distillery.train.losses[1] (attention) reads the attention maps of student block 2, whose"
                        + " MLP and output then feed no loss: add a loss on that block's output (hidden with"
                        + " student-block = 2, or d2v)");
        StudentObjective beyond = new StudentObjective(
                List.of(new LossSpec("distillery.train.losses[0]", "attention", 1.0, Map.of(), "attention_01", 3)),
                0,
                Map.of("attention_01", 2 * 5 * 5));
        assertThatThrownBy(() -> graph(beyond, DataType.FLOAT))
                .hasMessage("distillery.train.losses[0] (attention): student-block 3 is not a block of the student"
                        + " (1..2)");
        assertThatThrownBy(() -> new StudentObjective(
                        List.of(spec(0, "d2v", 1.0, Map.of(), "target"), spec(1, "d2v", 2.0, Map.of(), "target")),
                        0,
                        Map.of()))
                .hasMessageContaining("d2v is configured 2 times");
        StudentObjective earlyHiddenOnly = new StudentObjective(
                List.of(new LossSpec("distillery.train.losses[0]", "hidden", 1.0, Map.of(), "layer_02", 1)),
                0,
                Map.of("layer_02", 5 * 8));
        assertThatThrownBy(() -> graph(earlyHiddenOnly, DataType.FLOAT))
                .hasMessage("the losses read no block after student block 1 of 2: set student.depth = 1 or add a loss"
                        + " on the last block");
    }
}
