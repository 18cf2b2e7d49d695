package io.distillery.student;

import io.distillery.model.VertexNames;
import io.distillery.model.bert.BertConfig;
import io.distillery.model.text.TextEncoderGraph;
import io.distillery.objective.LossGroup;
import io.distillery.objective.LossSpec;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TextTargetRecipe;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The text distillation graph: a BERT student ({@link TextEncoderGraph}, inputs ids, type ids, mask [B, T]), the
 * merge of its last {@code recipe.topK()} layer tensors (block outputs or FFN branches) with the attention mask, the
 * {@link TextTargetHead} and {@link TokenD2vLoss} (labels: target [T*D_t] then the attention mask [T]). Only real
 * tokens count, in the statistics and the loss, as in {@link io.distillery.targets.TextTargets}. TinyBERT's
 * hidden-state and attention losses come as further outputs (or instead of d2v), over the real positions only
 * ({@link PaddedMseLoss}); see {@link #configuration(BertConfig, int, TextTargetRecipe, int, StudentObjective,
 * NeuralNetConfiguration.Builder)}.
 */
public final class TextStudentGraph {
    public static final String LAYERS = StudentGraph.LAYERS;
    public static final String HEAD = StudentGraph.HEAD;
    public static final String LOSS = StudentGraph.LOSS;

    private TextStudentGraph() {}

    /**
     * @param recipe    the dataset's target recipe, {@code topK} being the number of the student's last layers averaged
     * @param targetDim the teacher's width (a projection is added when it differs from the student's)
     */
    public static ComputationGraph create(
            BertConfig student, int tokens, TextTargetRecipe recipe, int targetDim, Optimization optimization) {
        return create(student, tokens, recipe, targetDim, StudentObjective.d2vOnly(), optimization);
    }

    /** The graph of {@code objective} (d2v, hidden and attention losses; see {@link #configuration}). */
    public static ComputationGraph create(
            BertConfig student,
            int tokens,
            TextTargetRecipe recipe,
            int targetDim,
            StudentObjective objective,
            Optimization optimization) {
        ComputationGraph net = new ComputationGraph(
                configuration(student, tokens, recipe, targetDim, objective, optimization.builder(DataType.FLOAT)));
        net.init();
        return net;
    }

    /** The d2v-only graph on a caller-made base (updater, seed, data type); gradient checks pass a no-op updater. */
    public static ComputationGraphConfiguration configuration(
            BertConfig student,
            int tokens,
            TextTargetRecipe recipe,
            int targetDim,
            NeuralNetConfiguration.Builder base) {
        return configuration(student, tokens, recipe, targetDim, StudentObjective.d2vOnly(), base);
    }

    /**
     * The graph of {@code objective} on a caller-made base. Outputs, in {@link StudentObjective#outputs()}'s order:
     * {@link #LOSS} when d2v is configured (labels: target [T*D_t] then the mask [T]); per hidden loss
     * {@code hidden.<i>}, student layer {@code student-block}'s output (through a {@link TokenProjection} when the
     * teacher's width differs) into a {@link PaddedMseLoss} (labels: the teacher layer [T*D_t] then the mask); per
     * attention loss {@code attention.<i>}, that layer's attention probabilities into a {@link PaddedMseLoss}
     * (labels: the teacher's maps [H*T*T] then the mask). Logit and feature losses are refused: a text dataset stores
     * neither logits nor pooled features.
     *
     * @param recipe    used only when d2v is configured
     * @param targetDim the d2v target's width; used only when d2v is configured
     */
    public static ComputationGraphConfiguration configuration(
            BertConfig student,
            int tokens,
            TextTargetRecipe recipe,
            int targetDim,
            StudentObjective objective,
            NeuralNetConfiguration.Builder base) {
        int depth = student.numLayers();
        if (objective.pools()) {
            LossSpec first = objective.logits().isEmpty()
                    ? objective.features().get(0)
                    : objective.logits().get(0);
            throw new IllegalArgumentException(first.label() + ": a text student trains with d2v, hidden and attention"
                    + " losses only (a text dataset stores no logits nor pooled features)");
        }
        for (LossSpec spec : objective.specs()) {
            if (spec.group() != LossGroup.D2V && (spec.studentBlock() < 1 || spec.studentBlock() > depth)) {
                throw new IllegalArgumentException(spec.label() + ": student-block " + spec.studentBlock()
                        + " is not a layer of the text student (1.." + depth + ")");
            }
        }
        requireLastLayerUsed(depth, objective);
        ComputationGraphConfiguration.GraphBuilder graph =
                TextEncoderGraph.addEncoder(base.graphBuilder(), student, tokens, objective.attentionBlocks());
        List<String> outputs = new ArrayList<>();
        if (objective.d2vWeight() > 0) {
            addD2v(graph, student, tokens, recipe, targetDim, objective.d2vWeight());
            outputs.add(LOSS);
        }
        for (LossSpec spec : objective.hidden()) {
            outputs.add(addHidden(graph, student, tokens, objective, spec));
        }
        for (LossSpec spec : objective.attention()) {
            outputs.add(addAttention(graph, student, tokens, objective, spec));
        }
        graph.setOutputs(outputs.toArray(new String[0]));
        return graph.build();
    }

    /**
     * Without d2v, the losses must read the last layer (DL4J cannot backpropagate through a layer that feeds nothing,
     * and it would train nothing): a hidden loss on it, and every attention loss on a layer a hidden loss reads or
     * before (an attention map depends only on its layer's input, so that layer's MLP would feed nothing).
     */
    private static void requireLastLayerUsed(int depth, StudentObjective objective) {
        if (objective.d2vWeight() > 0) {
            return;
        }
        int deepest = objective.hidden().stream()
                .mapToInt(LossSpec::studentBlock)
                .max()
                .orElse(0);
        for (LossSpec spec : objective.attention()) {
            if (spec.studentBlock() > deepest) {
                throw new IllegalArgumentException(spec.label() + " reads the attention maps of student layer "
                        + spec.studentBlock() + ", whose FFN and output then feed no loss: add a loss on that"
                        + " layer's output (hidden with student-block = " + spec.studentBlock() + ", or d2v)");
            }
        }
        if (deepest < depth) {
            throw new IllegalArgumentException("the losses read no layer after student layer " + deepest + " of "
                    + depth + ": set student.depth = " + deepest + " or add a loss on the last layer");
        }
    }

    private static void addD2v(
            ComputationGraphConfiguration.GraphBuilder graph,
            BertConfig student,
            int tokens,
            TextTargetRecipe recipe,
            int targetDim,
            double weight) {
        int depth = student.numLayers();
        if (recipe.topK() > depth) {
            throw new IllegalArgumentException(
                    "student top-k " + recipe.topK() + " exceeds the text student's depth " + depth);
        }
        boolean ffn = recipe.tensor() == TargetTensor.FFN;
        int unused = ffn ? 1 : 0; // the last layer's output must feed something for DL4J's backward pass
        String[] inputs = new String[recipe.topK() + unused + 1];
        for (int i = 0; i < recipe.topK(); i++) {
            int layer = depth - recipe.topK() + i;
            inputs[i] = ffn ? VertexNames.mlp(layer) : VertexNames.block(layer);
        }
        if (ffn) {
            inputs[recipe.topK()] = VertexNames.block(depth - 1);
        }
        inputs[inputs.length - 1] = TextEncoderGraph.MASK;
        graph.addVertex(LAYERS, new MergeVertex(), inputs)
                .addLayer(
                        HEAD,
                        new TextTargetHead(
                                recipe.topK(),
                                unused,
                                tokens,
                                student.hiddenSize(),
                                targetDim,
                                recipe.layerNorm(),
                                recipe.eps()),
                        LAYERS)
                .addLayer(
                        LOSS,
                        new LossLayer.Builder()
                                .lossFunction(new TokenD2vLoss(tokens, weight))
                                .activation(Activation.IDENTITY)
                                .build(),
                        HEAD);
    }

    /** A hidden-state loss on student layer {@code student-block}'s output; returns its output vertex. */
    private static String addHidden(
            ComputationGraphConfiguration.GraphBuilder graph,
            BertConfig student,
            int tokens,
            StudentObjective objective,
            LossSpec spec) {
        int width = objective.width(spec);
        if (width % tokens != 0) {
            throw new IllegalArgumentException(spec.label() + ": teacher column '" + spec.teacherColumn() + "' has "
                    + width + " values per row, not " + tokens + " tokens of equal width");
        }
        int teacherDim = width / tokens;
        String vertex = objective.vertex(spec);
        String input = VertexNames.block(spec.studentBlock() - 1);
        if (teacherDim != student.hiddenSize()) {
            String projection = StudentObjective.projection(vertex);
            graph.addLayer(projection, new TokenProjection(tokens, student.hiddenSize(), teacherDim), input);
            input = projection;
        }
        graph.addLayer(
                vertex,
                new LossLayer.Builder()
                        .lossFunction(PaddedMseLoss.hidden(tokens, spec.weight()))
                        .activation(Activation.IDENTITY)
                        .build(),
                input);
        return vertex;
    }

    /**
     * An attention-map loss on student layer {@code student-block}'s probabilities against the teacher's [H, T, T]:
     * TinyBERT maps layers, not heads, so the head counts must agree. Returns its output vertex.
     */
    private static String addAttention(
            ComputationGraphConfiguration.GraphBuilder graph,
            BertConfig student,
            int tokens,
            StudentObjective objective,
            LossSpec spec) {
        int width = objective.width(spec);
        int heads = student.numHeads();
        long perHead = (long) tokens * tokens;
        if (width != heads * perHead) {
            String teacher = width % perHead == 0
                    ? (width / perHead) + " heads of " + tokens + " x " + tokens + " tokens"
                    : width + " values per row (not maps of " + tokens + " x " + tokens + " tokens)";
            throw new IllegalArgumentException(spec.label() + ": teacher column '" + spec.teacherColumn() + "' has "
                    + teacher + " but the student has " + heads + " heads (num_attention_heads) of " + tokens + " x "
                    + tokens + " tokens; attention maps are compared head by head");
        }
        String vertex = objective.vertex(spec);
        graph.addLayer(
                vertex,
                new LossLayer.Builder()
                        .lossFunction(PaddedMseLoss.attention(tokens, heads, spec.weight()))
                        .activation(Activation.IDENTITY)
                        .build(),
                VertexNames.attentionProbabilities(spec.studentBlock() - 1));
        return vertex;
    }
}
