package io.distillery.model.text;

import io.distillery.model.Nd4jSeed;
import io.distillery.model.VertexNames;
import io.distillery.model.bert.BertConfig;
import io.distillery.model.layers.BlockStyle;
import io.distillery.model.layers.MlpSublayer;
import io.distillery.model.layers.ResidualJoin;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Builds the DL4J ComputationGraph of a BERT encoder (Hugging Face's BertModel without pooler) for sequences padded
 * to {@code tokens} positions. Inputs, all [B, T] floats holding integers: {@link #IDS}, {@link #TYPE_IDS} and
 * {@link #MASK} (1 real token, 0 padding). Vertices, named as in the image encoder ({@link VertexNames}):
 * {@code embed} (hidden state 0), then per layer n {@code blocks.n.attn} (LN(x + attn(x)), padded keys masked),
 * {@code blocks.n.mlp} (the FFN branch, data2vec's 'ffn' target), {@code blocks.n.merge} and {@code blocks.n}
 * (the layer output, LN(h + FFN(h))). Positions are 0..T-1 whatever the padding, as in transformers.
 */
public final class TextEncoderGraph {
    public static final String IDS = "ids";
    public static final String TYPE_IDS = "typeids";
    public static final String MASK = "mask";
    /** The MergeVertex of ids and token type ids that feeds the embedding. */
    public static final String EMBED_INPUT = "embed.in";
    /** The MLM head's vertex (named after its Hugging Face module) and its loss. */
    public static final String MLM_HEAD = "cls.predictions";

    public static final String MLM_LOSS = "mlm.loss";

    private TextEncoderGraph() {}

    /**
     * An encoder with freshly initialised parameters whose outputs are the hidden states (embedding output, then
     * every layer's output: transformers' {@code hidden_states}) followed by every layer's FFN branch.
     */
    public static ComputationGraph create(BertConfig config, int tokens, long seed, DataType dataType) {
        ComputationGraphConfiguration.GraphBuilder graph =
                addEncoder(base(seed, dataType).graphBuilder(), config, tokens);
        graph.setOutputs(outputs(config).toArray(String[]::new));
        ComputationGraph net = new ComputationGraph(graph.build());
        net.init();
        return net;
    }

    /**
     * An encoder with the MLM head and its loss ({@link #MLM_LOSS}, labels [B, T], see {@link MaskedLmLoss}) for
     * masked-language-model pretraining, its updater and data type from {@code base} (see {@link #base}).
     */
    public static ComputationGraph createMaskedLm(BertConfig config, int tokens, NeuralNetConfiguration.Builder base) {
        ComputationGraphConfiguration.GraphBuilder graph = addEncoder(base.graphBuilder(), config, tokens);
        addMaskedLm(graph, config, tokens, VertexNames.block(config.numLayers() - 1));
        graph.setOutputs(MLM_LOSS);
        ComputationGraph net = new ComputationGraph(graph.build());
        net.init();
        return net;
    }

    /** A graph builder's base: seeded, of the given data type. */
    public static NeuralNetConfiguration.Builder base(long seed, DataType dataType) {
        return new NeuralNetConfiguration.Builder().seed(Nd4jSeed.of(seed)).dataType(dataType);
    }

    /** The outputs of {@link #create}: {@code embed}, {@code blocks.0..L-1}, then {@code blocks.0..L-1.mlp}. */
    public static List<String> outputs(BertConfig config) {
        List<String> names = new ArrayList<>();
        names.add(VertexNames.EMBED);
        for (int n = 0; n < config.numLayers(); n++) {
            names.add(VertexNames.block(n));
        }
        for (int n = 0; n < config.numLayers(); n++) {
            names.add(VertexNames.mlp(n));
        }
        return names;
    }

    /**
     * Adds the inputs and the encoder's vertices to {@code graph} and returns it; the last layer's output is
     * {@code blocks.(L-1)}, where callers attach heads and losses.
     */
    public static ComputationGraphConfiguration.GraphBuilder addEncoder(
            ComputationGraphConfiguration.GraphBuilder graph, BertConfig c, int tokens) {
        return addEncoder(graph, c, tokens, Set.of());
    }

    /**
     * {@link #addEncoder(ComputationGraphConfiguration.GraphBuilder, BertConfig, int)} whose layers in
     * {@code attentionMaps} (0-based) also expose their attention probabilities [H, T, T] as vertex
     * {@link VertexNames#attentionProbabilities(int)}: their attention is a {@link MaskedAttentionMap} (same name and
     * parameters, so checkpoints and exports are unchanged) split by two subset vertices, the block's output being
     * {@link VertexNames#attentionOutput(int)}; the other layers are built exactly as without.
     */
    public static ComputationGraphConfiguration.GraphBuilder addEncoder(
            ComputationGraphConfiguration.GraphBuilder graph, BertConfig c, int tokens, Set<Integer> attentionMaps) {
        for (int n : attentionMaps) {
            if (n < 0 || n >= c.numLayers()) {
                throw new IllegalArgumentException(
                        "attention maps asked of layer " + n + " (0-based) of a " + c.numLayers() + "-layer encoder");
            }
        }
        int dim = c.hiddenSize();
        double eps = c.layerNormEps();
        graph.addInputs(IDS, TYPE_IDS, MASK)
                .setInputTypes(
                        InputType.feedForward(tokens), InputType.feedForward(tokens), InputType.feedForward(tokens))
                .addVertex(EMBED_INPUT, new MergeVertex(), IDS, TYPE_IDS)
                .addLayer(
                        VertexNames.EMBED,
                        new TextEmbedding(tokens, dim, c.vocabSize(), c.maxPositions(), c.typeVocabSize(), eps),
                        EMBED_INPUT);
        String previous = VertexNames.EMBED;
        for (int n = 0; n < c.numLayers(); n++) {
            String attention = VertexNames.attention(n);
            graph.addVertex(attentionInput(n), new MergeVertex(), previous, MASK);
            if (attentionMaps.contains(n)) {
                MaskedAttentionMap layer = new MaskedAttentionMap(tokens, dim, c.numHeads(), eps);
                graph.addLayer(attention, layer, attentionInput(n));
                long out = layer.outputWidth();
                graph.addVertex(VertexNames.attentionOutput(n), new SubsetVertex(0, (int) out - 1), attention);
                graph.addVertex(
                        VertexNames.attentionProbabilities(n),
                        new SubsetVertex((int) out, (int) (out + layer.probabilitiesWidth()) - 1),
                        attention);
                attention = VertexNames.attentionOutput(n);
            } else {
                graph.addLayer(attention, new MaskedAttention(tokens, dim, c.numHeads(), eps), attentionInput(n));
            }
            graph.addLayer(
                            VertexNames.mlp(n),
                            new MlpSublayer(tokens, dim, c.intermediateSize(), false, eps, ""),
                            attention)
                    .addVertex(VertexNames.merge(n), new MergeVertex(), attention, VertexNames.mlp(n))
                    .addLayer(
                            VertexNames.block(n),
                            new ResidualJoin(BlockStyle.DATA2VEC_POST_NORM, tokens, dim, eps, 0, ""),
                            VertexNames.merge(n));
            previous = VertexNames.block(n);
        }
        return graph;
    }

    /** Adds the MLM head on vertex {@code previous} and its loss; returns the loss vertex. */
    public static String addMaskedLm(
            ComputationGraphConfiguration.GraphBuilder graph, BertConfig c, int tokens, String previous) {
        graph.addLayer(MLM_HEAD, new MlmHead(tokens, c.hiddenSize(), c.vocabSize(), c.layerNormEps()), previous)
                .addLayer(
                        MLM_LOSS,
                        new LossLayer.Builder()
                                .lossFunction(new MaskedLmLoss())
                                .activation(Activation.IDENTITY)
                                .build(),
                        MLM_HEAD);
        return MLM_LOSS;
    }

    /** The MergeVertex of layer n's input and the attention mask. */
    public static String attentionInput(int layer) {
        return VertexNames.attention(layer) + ".in";
    }
}
