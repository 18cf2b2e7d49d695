package io.distillery.model;

import io.distillery.model.kernels.NativeLayer;
import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The encoder's inference pass run layer by layer on the native engine, outside DL4J's graph executor: the same
 * vertices in the same order with the same parameters (so the same numbers, bit for bit), without the executor's
 * per-vertex workspace copies of every activation it hands back. That was 7 % of a small teacher's forward pass.
 */
final class NativeEncoderPass {
    private NativeEncoderPass() {
    }

    /** Whether every layer of the encoder graph runs on the native engine. */
    static boolean supports(ComputationGraph graph, ModelConfig config) {
        if (!(graph.getLayer(VertexNames.EMBED) instanceof NativeLayer)) {
            return false;
        }
        for (int b = 0; b < config.depth(); b++) {
            if (!(graph.getLayer(VertexNames.attention(b)) instanceof NativeLayer)
                    || !(graph.getLayer(VertexNames.mlp(b)) instanceof NativeLayer)
                    || !(graph.getLayer(VertexNames.block(b)) instanceof NativeLayer)) {
                return false;
            }
        }
        return config.family() != ModelFamily.DATA2VEC2 || graph.getLayer(VertexNames.EMBED_NORM) instanceof NativeLayer;
    }

    /** Vertex name to activation ([B, T*D]), like {@code ComputationGraph.feedForward} for the vertices used. */
    static Map<String, INDArray> run(ComputationGraph graph, ModelConfig config, INDArray images) {
        Map<String, INDArray> acts = new HashMap<>();
        INDArray x = layer(graph, VertexNames.EMBED).infer(images);
        acts.put(VertexNames.EMBED, x);
        if (config.family() == ModelFamily.DATA2VEC2) {
            x = layer(graph, VertexNames.EMBED_NORM).infer(x);
            acts.put(VertexNames.EMBED_NORM, x);
        }
        for (int b = 0; b < config.depth(); b++) {
            INDArray attention = layer(graph, VertexNames.attention(b)).infer(x);
            INDArray mlp = layer(graph, VertexNames.mlp(b)).infer(attention);
            INDArray merged = Nd4j.concat(1, attention, mlp); // what the MergeVertex feeds the join
            x = layer(graph, VertexNames.block(b)).infer(merged);
            merged.close();
            acts.put(VertexNames.attention(b), attention);
            acts.put(VertexNames.mlp(b), mlp);
            acts.put(VertexNames.block(b), x);
        }
        return acts;
    }

    private static NativeLayer layer(ComputationGraph graph, String vertex) {
        Layer layer = graph.getLayer(vertex);
        return (NativeLayer) layer;
    }
}
