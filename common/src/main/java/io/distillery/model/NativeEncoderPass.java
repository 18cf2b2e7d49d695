package io.distillery.model;

import io.distillery.model.kernels.NativeLayer;
import io.distillery.model.kernels.OutputAllocator;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The encoder's inference pass run layer by layer on the native engine, outside DL4J's graph executor: the same
 * vertices in the same order with the same parameters (so the same numbers, bit for bit), without the executor's
 * per-vertex workspace copies of every activation it hands back (7 % of a small teacher's forward pass), and without
 * merging each block's residual and FFN branch into one array for its join.
 */
final class NativeEncoderPass {
    private NativeEncoderPass() {}

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
        return config.family() != ModelFamily.DATA2VEC2
                || graph.getLayer(VertexNames.EMBED_NORM) instanceof NativeLayer;
    }

    /**
     * What the pass hands back.
     *
     * @param activations   vertex name to activation ([B, T*D]), like {@code ComputationGraph.feedForward} for the
     *                      vertices used
     * @param scaledBranches BEiT: each block's {@code gamma2 * mlp} ([B, T*D]), computed by the block end's fused
     *                      join; empty when the join ran merged or for data2vec 2.0
     * @param attention     0-based block to its attention probabilities ([B*H*T, T]), for the blocks asked for
     */
    record Result(Map<String, INDArray> activations, List<INDArray> scaledBranches, Map<Integer, INDArray> attention) {}

    /** The pass, every activation (and BEiT's scaled branches) allocated by {@code output}. */
    static Result run(ComputationGraph graph, ModelConfig config, INDArray images, OutputAllocator output) {
        return run(graph, config, images, output, Set.of());
    }

    /**
     * The pass, also keeping the attention probabilities of the 0-based {@code attentionBlocks} (allocated by
     * {@code output}; other blocks write theirs into scratch memory as usual).
     */
    static Result run(
            ComputationGraph graph,
            ModelConfig config,
            INDArray images,
            OutputAllocator output,
            Set<Integer> attentionBlocks) {
        Map<String, INDArray> acts = new HashMap<>();
        Map<Integer, INDArray> probs = new TreeMap<>();
        List<INDArray> scaled = new ArrayList<>();
        boolean beit = config.family() == ModelFamily.BEITV2;
        INDArray x = layer(graph, VertexNames.EMBED).infer(images, output);
        acts.put(VertexNames.EMBED, x);
        if (!beit) {
            x = layer(graph, VertexNames.EMBED_NORM).infer(x, output);
            acts.put(VertexNames.EMBED_NORM, x);
        }
        for (int b = 0; b < config.depth(); b++) {
            NativeLayer attentionLayer = layer(graph, VertexNames.attention(b));
            INDArray attention;
            if (attentionBlocks.contains(b)) {
                long rows = images.size(0) * config.numHeads() * config.tokens();
                INDArray p = output.create(x.dataType(), rows, config.tokens());
                attention = attentionLayer.inferAttention(x, output, p);
                probs.put(b, p);
            } else {
                attention = attentionLayer.infer(x, output);
            }
            INDArray mlp = layer(graph, VertexNames.mlp(b)).infer(attention, output);
            NativeLayer end = layer(graph, VertexNames.block(b));
            INDArray branch = beit ? output.create(mlp.dataType(), mlp.shape()) : null;
            x = end.inferJoin(attention, mlp, branch, output);
            if (x == null) {
                close(branch);
                branch = null;
                INDArray merged = Nd4j.concat(1, attention, mlp); // what the MergeVertex feeds the join
                x = end.infer(merged, output);
                merged.close();
            }
            if (branch != null) {
                scaled.add(branch);
            }
            acts.put(VertexNames.attention(b), attention);
            acts.put(VertexNames.mlp(b), mlp);
            acts.put(VertexNames.block(b), x);
        }
        return new Result(acts, scaled.size() == config.depth() ? scaled : closeAll(scaled), probs);
    }

    private static List<INDArray> closeAll(List<INDArray> arrays) {
        arrays.forEach(NativeEncoderPass::close);
        return List.of();
    }

    private static void close(INDArray array) {
        if (array != null && !array.wasClosed() && array.closeable()) {
            array.close();
        }
    }

    private static NativeLayer layer(ComputationGraph graph, String vertex) {
        Layer layer = graph.getLayer(vertex);
        return (NativeLayer) layer;
    }
}
