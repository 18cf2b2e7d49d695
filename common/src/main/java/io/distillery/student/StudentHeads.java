package io.distillery.student;

import io.distillery.losses.CosineLoss;
import io.distillery.model.ModelConfig;
import io.distillery.model.VertexNames;
import io.distillery.objective.LossGroup;
import io.distillery.objective.LossSpec;
import io.distillery.objective.TermLossFunction;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;

/**
 * The heads of the non-d2v losses on top of the student encoder: the pooled features ({@code fc_norm}, timm Beit's
 * {@code global_pool='avg'}), the classifier ({@code head}, a linear layer to C logits like
 * {@link ClassifierGraph}'s, so a distilled student exports as a timm classifier) with every logit loss summed by
 * one {@link TermLossFunction}, and one output per feature loss on the pooled features. A cosine loss whose widths
 * differ gets a learned linear projection (the student's pooled features are D_s wide, the teacher's D_t); pkt
 * compares only batch similarity structure and needs none. A hidden-state loss reads a block's tokens directly, an attention loss a block's attention probabilities.
 */
final class StudentHeads {
    private StudentHeads() {}

    /** Adds the heads of {@code objective} (none when it pools nothing) and returns their output vertices, in order. */
    static List<String> add(
            ComputationGraphConfiguration.GraphBuilder graph, ModelConfig student, StudentObjective objective) {
        List<String> outputs = new ArrayList<>();
        if (objective.pools()) {
            graph.addLayer(
                    ClassifierGraph.POOL,
                    new PooledTokens(student.tokens(), student.embedDim(), student.layerNormEps()),
                    VertexNames.block(student.depth() - 1));
        }
        for (StudentObjective.Output out : objective.headOutputs()) {
            LossSpec first = out.terms().get(0);
            if (first.group() == LossGroup.TOKENS) {
                addHidden(graph, student, out);
                outputs.add(out.vertex());
                continue;
            }
            if (first.group() == LossGroup.ATTENTION) {
                addAttention(graph, student, out);
                outputs.add(out.vertex());
                continue;
            }
            TermLossFunction loss = new TermLossFunction(out.terms(), out.teacherWidth(), out.classes());
            if (out.vertex().equals(ClassifierGraph.HEAD)) {
                graph.addLayer(
                        ClassifierGraph.HEAD,
                        new OutputLayer.Builder(loss)
                                .nIn(student.embedDim())
                                .nOut(objective.classes())
                                .activation(Activation.IDENTITY)
                                .weightInit(WeightInit.XAVIER)
                                .build(),
                        ClassifierGraph.POOL);
            } else {
                String input = ClassifierGraph.POOL;
                LossSpec spec = out.terms().get(0);
                if (spec.type().equals(CosineLoss.TYPE) && out.teacherWidth() != student.embedDim()) {
                    input = StudentObjective.projection(out.vertex());
                    graph.addLayer(
                            input,
                            new DenseLayer.Builder()
                                    .nIn(student.embedDim())
                                    .nOut(out.teacherWidth())
                                    .activation(Activation.IDENTITY)
                                    .weightInit(WeightInit.XAVIER)
                                    .build(),
                            ClassifierGraph.POOL);
                }
                graph.addLayer(
                        out.vertex(),
                        new LossLayer.Builder()
                                .lossFunction(loss)
                                .activation(Activation.IDENTITY)
                                .build(),
                        input);
            }
            outputs.add(out.vertex());
        }
        return outputs;
    }

    /**
     * An attention-map loss on the probabilities of a student block (the block's sublayer emits them, see
     * {@link io.distillery.model.EncoderGraph#addEncoder(ComputationGraphConfiguration.GraphBuilder, ModelConfig,
     * java.util.Set)}) against a stored teacher layer's, [heads, tokens, tokens] on both sides: TinyBERT maps layers,
     * not heads, so the counts must agree.
     */
    private static void addAttention(
            ComputationGraphConfiguration.GraphBuilder graph, ModelConfig student, StudentObjective.Output out) {
        LossSpec spec = out.terms().get(0);
        int tokens = student.tokens();
        int heads = student.numHeads();
        long perHead = (long) tokens * tokens;
        if (out.teacherWidth() != heads * perHead) {
            String teacher = out.teacherWidth() % perHead == 0
                    ? (out.teacherWidth() / perHead) + " heads of " + tokens + " x " + tokens + " tokens"
                    : out.teacherWidth() + " values per row (not maps of " + tokens + " x " + tokens + " tokens)";
            throw new IllegalArgumentException(spec.label() + ": teacher column '" + spec.teacherColumn() + "' has "
                    + teacher + " but the student has " + heads + " heads of " + tokens + " x " + tokens
                    + " tokens; attention maps are compared head by head");
        }
        graph.addLayer(
                out.vertex(),
                new LossLayer.Builder()
                        .lossFunction(new TermLossFunction(out.terms(), out.teacherWidth(), 0, tokens, heads))
                        .activation(Activation.IDENTITY)
                        .build(),
                VertexNames.attentionProbabilities(spec.studentBlock() - 1));
    }

    /**
     * A hidden-state loss on the output of a student block against a stored teacher layer (all tokens, CLS first,
     * on both sides), through a {@link TokenProjection} when the widths differ.
     */
    private static void addHidden(
            ComputationGraphConfiguration.GraphBuilder graph, ModelConfig student, StudentObjective.Output out) {
        LossSpec spec = out.terms().get(0);
        if (spec.studentBlock() < 1 || spec.studentBlock() > student.depth()) {
            throw new IllegalArgumentException(spec.label() + ": student-block " + spec.studentBlock()
                    + " is not a block of the student (1.." + student.depth() + ")");
        }
        int tokens = student.tokens();
        if (out.teacherWidth() % tokens != 0) {
            throw new IllegalArgumentException(spec.label() + ": teacher column '" + spec.teacherColumn() + "' has "
                    + out.teacherWidth() + " values per row, not " + tokens + " tokens of equal width");
        }
        int teacherDim = out.teacherWidth() / tokens;
        String input = VertexNames.block(spec.studentBlock() - 1);
        if (teacherDim != student.embedDim()) {
            String projection = StudentObjective.projection(out.vertex());
            graph.addLayer(projection, new TokenProjection(tokens, student.embedDim(), teacherDim), input);
            input = projection;
        }
        graph.addLayer(
                out.vertex(),
                new LossLayer.Builder()
                        .lossFunction(new TermLossFunction(out.terms(), out.teacherWidth(), 0, tokens))
                        .activation(Activation.IDENTITY)
                        .build(),
                input);
    }
}
