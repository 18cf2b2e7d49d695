package io.distillery.model;

import io.distillery.model.layers.AttentionMapSublayer;
import io.distillery.model.layers.AttentionSublayer;
import io.distillery.model.layers.BlockStyle;
import io.distillery.model.layers.MlpSublayer;
import io.distillery.model.layers.PatchEmbedding;
import io.distillery.model.layers.ResidualJoin;
import io.distillery.model.layers.TokenLayerNorm;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Builds the DL4J ComputationGraph of an encoder. Each block is four vertices (attention, MLP, merge, join) so
 * that every block output and every FFN branch is a vertex activation; the last block's output vertex is
 * {@link VertexNames#block(int) blocks.(depth-1)}.
 */
public final class EncoderGraph {
    private EncoderGraph() {}

    /** An inference-ready graph with freshly initialised (random) parameters. */
    public static ComputationGraph create(ModelConfig config, long seed, DataType dataType) {
        NeuralNetConfiguration.Builder base =
                new NeuralNetConfiguration.Builder().seed(Nd4jSeed.of(seed)).dataType(dataType);
        ComputationGraphConfiguration.GraphBuilder graph = addEncoder(base.graphBuilder(), config);
        graph.setOutputs(VertexNames.block(config.depth() - 1));
        ComputationGraph net = new ComputationGraph(graph.build());
        net.init();
        return net;
    }

    /**
     * Adds the encoder's vertices to {@code graph} (its input {@link VertexNames#INPUT}: images [B, C, H, W]) and
     * returns it; callers add heads and losses on top of {@code blocks.(depth-1)}.
     */
    public static ComputationGraphConfiguration.GraphBuilder addEncoder(
            ComputationGraphConfiguration.GraphBuilder graph, ModelConfig c) {
        return addEncoder(graph, c, Set.of());
    }

    /**
     * {@link #addEncoder(ComputationGraphConfiguration.GraphBuilder, ModelConfig)} whose blocks in
     * {@code attentionMaps} (0-based) also expose their attention probabilities as vertex
     * {@link VertexNames#attentionProbabilities(int)}: their sublayer is an {@link AttentionMapSublayer} (same
     * name and parameters) split by two subset vertices; the others are built exactly as without.
     */
    public static ComputationGraphConfiguration.GraphBuilder addEncoder(
            ComputationGraphConfiguration.GraphBuilder graph, ModelConfig c, Set<Integer> attentionMaps) {
        for (int b : attentionMaps) {
            if (b < 0 || b >= c.depth()) {
                throw new IllegalArgumentException(
                        "attention maps asked of block " + b + " (0-based) of a " + c.depth() + "-block encoder");
            }
        }
        graph.addInputs(VertexNames.INPUT)
                .setInputTypes(InputType.convolutional(c.imgSize(), c.imgSize(), c.inChans()))
                .addLayer(VertexNames.EMBED, patchEmbedding(c), VertexNames.INPUT);
        addBlocks(graph, c, c.tokens(), VertexNames.EMBED, attentionMaps);
        return graph;
    }

    /** The encoder's patch embedding ({@code [cls ; patches]}, data2vec 2.0's sin-cos positions on the patches). */
    public static PatchEmbedding patchEmbedding(ModelConfig c) {
        boolean beit = c.family() == ModelFamily.BEITV2;
        return new PatchEmbedding(c.imgSize(), c.patchSize(), c.inChans(), c.embedDim(), !beit);
    }

    /**
     * Adds what follows the patch embedding — data2vec 2.0's embedding norm, then the blocks — on {@code tokens}
     * tokens per example read from vertex {@code previous}, and returns the last block's vertex. A masked student
     * calls it with its kept tokens (K + 1 with CLS): every layer here is per token or attends over whatever tokens
     * it gets, and a data2vec2 encoder's positions are the sin-cos table added in the embedding, so the blocks do
     * not depend on which tokens they see (a BEiT encoder's relative position bias would).
     */
    public static String addBlocks(
            ComputationGraphConfiguration.GraphBuilder graph, ModelConfig c, int tokens, String previous) {
        return addBlocks(graph, c, tokens, previous, Set.of());
    }

    /** {@link #addBlocks} whose blocks in {@code attentionMaps} (0-based) also expose their attention maps. */
    static String addBlocks(
            ComputationGraphConfiguration.GraphBuilder graph,
            ModelConfig c,
            int tokens,
            String previous,
            Set<Integer> attentionMaps) {
        boolean beit = c.family() == ModelFamily.BEITV2;
        BlockStyle style = beit ? BlockStyle.BEIT_PRE_NORM_LAYER_SCALE : BlockStyle.DATA2VEC_POST_NORM;
        int dim = c.embedDim();
        double eps = c.layerNormEps();
        if (!beit) {
            graph.addLayer(VertexNames.EMBED_NORM, new TokenLayerNorm(tokens, dim, eps, "norm_pre"), previous);
            previous = VertexNames.EMBED_NORM;
        }
        int relPosGrid = c.useRelPosBias() ? c.gridSize() : 0;
        for (int b = 0; b < c.depth(); b++) {
            String prefix = "blocks." + b + ".";
            String attention = VertexNames.attention(b);
            if (attentionMaps.contains(b)) {
                AttentionMapSublayer layer = new AttentionMapSublayer(
                        style, tokens, dim, c.numHeads(), eps, relPosGrid, c.initValues(), prefix);
                graph.addLayer(attention, layer, previous);
                long out = layer.outputWidth();
                graph.addVertex(VertexNames.attentionOutput(b), new SubsetVertex(0, (int) out - 1), attention);
                graph.addVertex(
                        VertexNames.attentionProbabilities(b),
                        new SubsetVertex((int) out, (int) (out + layer.probabilitiesWidth()) - 1),
                        attention);
                attention = VertexNames.attentionOutput(b);
            } else {
                graph.addLayer(
                        attention,
                        new AttentionSublayer(
                                style, tokens, dim, c.numHeads(), eps, relPosGrid, c.initValues(), prefix),
                        previous);
            }
            graph.addLayer(
                    VertexNames.mlp(b), new MlpSublayer(tokens, dim, c.mlpHidden(), beit, eps, prefix), attention);
            graph.addVertex(VertexNames.merge(b), new MergeVertex(), attention, VertexNames.mlp(b));
            graph.addLayer(
                    VertexNames.block(b),
                    new ResidualJoin(style, tokens, dim, eps, c.initValues(), prefix),
                    VertexNames.merge(b));
            previous = VertexNames.block(b);
        }
        return previous;
    }
}
