package io.distillery.student;

import io.distillery.model.EncoderGraph;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelFamily;
import io.distillery.model.VertexNames;
import io.distillery.targets.TargetRecipe;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TargetTokens;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossL2;

/**
 * The distillation training graph: the student encoder, the merge of its last {@code recipe.topK()} block tensors,
 * the {@link StudentTargetHead} and data2vec 2.0's regression loss ({@code d2v_loss}):
 * {@code sum_d (y - t)^2 / sqrt(D_t)} per token, averaged over tokens and samples. DL4J's L2 loss sums squared
 * errors per example and averages over the minibatch, so every column is weighted by {@code 1 / (T' sqrt(D_t))}.
 * Other configured losses ({@link StudentObjective}) add their heads as further outputs ({@link StudentHeads}); the
 * graph's loss is the sum of its outputs' losses.
 */
public final class StudentGraph {
    public static final String LAYERS = "student.layers";
    public static final String HEAD = "student.head";
    public static final String LOSS = "loss";

    private StudentGraph() {}

    /**
     * @param recipe    the teacher's target recipe, with {@code topK} reinterpreted as the number of the student's
     *                  last blocks to average
     * @param targetDim the teacher's width D_t (a projection is added when it differs from the student's)
     */
    public static ComputationGraph create(
            ModelConfig student, TargetRecipe recipe, int targetDim, Optimization optimization, DataType dataType) {
        return create(student, recipe, targetDim, optimization, dataType, StudentObjective.d2vOnly());
    }

    /** The graph of {@code objective}: the d2v head when configured, then the classifier and feature heads. */
    public static ComputationGraph create(
            ModelConfig student,
            TargetRecipe recipe,
            int targetDim,
            Optimization optimization,
            DataType dataType,
            StudentObjective objective) {
        return create(student, recipe, targetDim, optimization, dataType, objective, null);
    }

    /** The graph of {@code objective}, masked ({@link MaskedStudentGraph}) when {@code masking} is not null. */
    public static ComputationGraph create(
            ModelConfig student,
            TargetRecipe recipe,
            int targetDim,
            Optimization optimization,
            DataType dataType,
            StudentObjective objective,
            StudentMasking masking) {
        ComputationGraph net = new ComputationGraph(configuration(
                student, recipe, targetDim, optimization.builder(dataType), dataType, objective, masking));
        net.init();
        return net;
    }

    /** {@link #configuration(ModelConfig, TargetRecipe, int, NeuralNetConfiguration.Builder, DataType,
     * StudentObjective)}, or the masked graph when {@code masking} is not null (the recipe's top-k then unused). */
    public static ComputationGraphConfiguration configuration(
            ModelConfig student,
            TargetRecipe recipe,
            int targetDim,
            NeuralNetConfiguration.Builder base,
            DataType dataType,
            StudentObjective objective,
            StudentMasking masking) {
        return masking == null
                ? configuration(student, recipe, targetDim, base, dataType, objective)
                : MaskedStudentGraph.configuration(student, targetDim, base, dataType, objective, masking);
    }

    public static ComputationGraphConfiguration configuration(
            ModelConfig student, TargetRecipe recipe, int targetDim, Optimization optimization, DataType dataType) {
        return configuration(student, recipe, targetDim, optimization.builder(dataType), dataType);
    }

    /** The graph on a caller-made base (updater, seed, data type); gradient checks pass a no-op updater. */
    public static ComputationGraphConfiguration configuration(
            ModelConfig student,
            TargetRecipe recipe,
            int targetDim,
            NeuralNetConfiguration.Builder base,
            DataType dataType) {
        return configuration(student, recipe, targetDim, base, dataType, StudentObjective.d2vOnly());
    }

    /** The graph of {@code objective} on a caller-made base. */
    public static ComputationGraphConfiguration configuration(
            ModelConfig student,
            TargetRecipe recipe,
            int targetDim,
            NeuralNetConfiguration.Builder base,
            DataType dataType,
            StudentObjective objective) {
        java.util.Set<Integer> attentionBlocks = attentionBlocks(student, objective);
        requireLastBlockUsed(student, objective);
        ComputationGraphConfiguration.GraphBuilder graph =
                EncoderGraph.addEncoder(base.graphBuilder(), student, attentionBlocks);
        List<String> outputs = new ArrayList<>();
        if (objective.d2vWeight() > 0) {
            addD2v(graph, student, recipe, targetDim, dataType, objective.d2vWeight());
            outputs.add(LOSS);
        }
        outputs.addAll(StudentHeads.add(graph, student, objective));
        graph.setOutputs(outputs.toArray(new String[0]));
        return graph.build();
    }

    /** The 0-based blocks an attention loss reads, each checked against the student's depth. */
    private static java.util.Set<Integer> attentionBlocks(ModelConfig student, StudentObjective objective) {
        for (io.distillery.objective.LossSpec spec : objective.attention()) {
            if (spec.studentBlock() < 1 || spec.studentBlock() > student.depth()) {
                throw new IllegalArgumentException(spec.label() + ": student-block " + spec.studentBlock()
                        + " is not a block of the student (1.." + student.depth() + ")");
            }
        }
        return objective.attentionBlocks();
    }

    /**
     * Every loss but hidden and attention reads the last block; those alone on earlier blocks would leave the
     * blocks after them feeding nothing, which DL4J cannot backpropagate through (and which would train nothing). An
     * attention loss reads only the attention of its block, so it needs a hidden loss on that block or later.
     */
    private static void requireLastBlockUsed(ModelConfig student, StudentObjective objective) {
        if (objective.d2vWeight() > 0 || objective.pools()) {
            return;
        }
        int deepest = objective.hidden().stream()
                .mapToInt(io.distillery.objective.LossSpec::studentBlock)
                .max()
                .orElse(0);
        for (io.distillery.objective.LossSpec spec : objective.attention()) {
            // the maps depend on the block's input only: its MLP (and the blocks after) would feed nothing
            if (spec.studentBlock() > deepest) {
                throw new IllegalArgumentException(spec.label() + " reads the attention maps of student block "
                        + spec.studentBlock() + ", whose MLP and output then feed no loss: add a loss on that"
                        + " block's output (hidden with student-block = " + spec.studentBlock() + ", or d2v)");
            }
        }
        if (deepest < student.depth()) {
            throw new IllegalArgumentException("the losses read no block after student block " + deepest + " of "
                    + student.depth() + ": set student.depth = " + deepest + " or add a loss on the last block");
        }
    }

    /**
     * The data2vec target head and its L2 loss, every column weighted by {@code lossWeight / (T' sqrt(D_t))} (the loss's
     * weight in the objective times d2v's own normalisation).
     */
    private static void addD2v(
            ComputationGraphConfiguration.GraphBuilder graph,
            ModelConfig student,
            TargetRecipe recipe,
            int targetDim,
            DataType dataType,
            double lossWeight) {
        if (recipe.topK() > student.depth()) {
            throw new IllegalArgumentException(
                    "student top-k " + recipe.topK() + " exceeds the student's depth " + student.depth());
        }
        if (recipe.tensor() == TargetTensor.FFN && student.family() != ModelFamily.DATA2VEC2) {
            throw new IllegalArgumentException("ffn targets need a data2vec2 student (a "
                    + student.family().id()
                    + " student's FFN branch is layer-scaled); use target tensor 'block' or a data2vec2 student");
        }
        String[] chosen = new String[recipe.topK()];
        for (int i = 0; i < chosen.length; i++) {
            int block = student.depth() - recipe.topK() + i;
            chosen[i] = recipe.tensor() == TargetTensor.FFN ? VertexNames.mlp(block) : VertexNames.block(block);
        }
        StudentTargetHead head = new StudentTargetHead(
                chosen.length,
                student.tokens(),
                student.embedDim(),
                targetDim,
                recipe.tokens() == TargetTokens.PATCHES,
                recipe.eps());
        String[] inputs = chosen;
        if (recipe.tensor() == TargetTensor.FFN) {
            // the last block's output must feed something for DL4J's backward pass (see withUnusedInputs)
            inputs = java.util.Arrays.copyOf(chosen, chosen.length + 1);
            inputs[chosen.length] = VertexNames.block(student.depth() - 1);
            head = head.withUnusedInputs(1);
        }
        String headInput = inputs[0];
        if (inputs.length > 1) {
            graph.addVertex(LAYERS, new MergeVertex(), inputs);
            headInput = LAYERS;
        }
        graph.addLayer(HEAD, head, headInput);
        long columns = (long) head.outputTokens() * targetDim;
        double weight = lossWeight / (head.outputTokens() * Math.sqrt(targetDim));
        graph.addLayer(
                LOSS,
                new LossLayer.Builder()
                        .lossFunction(new LossL2(Nd4j.valueArrayOf(new long[] {1, columns}, weight, dataType)))
                        .activation(Activation.IDENTITY)
                        .build(),
                HEAD);
    }
}
