package io.distillery.student;

import io.distillery.model.VertexNames;
import io.distillery.model.bert.BertConfig;
import io.distillery.model.text.TextEncoderGraph;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TextTargetRecipe;
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
 * tokens count, in the statistics and the loss, as in {@link io.distillery.targets.TextTargets}.
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
        ComputationGraph net = new ComputationGraph(
                configuration(student, tokens, recipe, targetDim, optimization.builder(DataType.FLOAT)));
        net.init();
        return net;
    }

    /** The graph on a caller-made base (updater, seed, data type); gradient checks pass a no-op updater. */
    public static ComputationGraphConfiguration configuration(
            BertConfig student,
            int tokens,
            TextTargetRecipe recipe,
            int targetDim,
            NeuralNetConfiguration.Builder base) {
        int depth = student.numLayers();
        if (recipe.topK() > depth) {
            throw new IllegalArgumentException(
                    "student top-k " + recipe.topK() + " exceeds the text student's depth " + depth);
        }
        ComputationGraphConfiguration.GraphBuilder graph =
                TextEncoderGraph.addEncoder(base.graphBuilder(), student, tokens);
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
                                .lossFunction(new TokenD2vLoss(tokens))
                                .activation(Activation.IDENTITY)
                                .build(),
                        HEAD)
                .setOutputs(LOSS);
        return graph.build();
    }
}
