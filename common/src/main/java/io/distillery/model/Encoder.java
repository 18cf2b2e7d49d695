package io.distillery.model;

import io.distillery.model.kernels.NativeEngine;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/** An encoder graph together with its config: runs images and hands back every per-block tensor. */
public final class Encoder {
    private final ModelConfig config;
    private final ComputationGraph graph;
    private final PoolingHead head;
    private final ActivationRecycler recycler = new ActivationRecycler();

    public Encoder(ModelConfig config, ComputationGraph graph, PoolingHead head) {
        this.config = config;
        this.graph = graph;
        this.head = head;
    }

    public ModelConfig config() {
        return config;
    }

    public ComputationGraph graph() {
        return graph;
    }

    /** BEiT's fc_norm (+ classifier); null for data2vec 2.0, which has no final norm. */
    public PoolingHead head() {
        return head;
    }

    /**
     * A second encoder on the same parameter array (nothing is copied): a DL4J graph is not safe to run from two
     * threads at once, but graphs that only read one parameter array are, so each thread can have its own replica
     * for the cost of its activations.
     */
    public Encoder replica() {
        ComputationGraph copy = new ComputationGraph(graph.getConfiguration().clone());
        copy.init(graph.params(), false);
        return new Encoder(config, copy, head);
    }

    /** Inference forward pass on normalised images [B, C, H, W]. */
    public EncoderActivations forward(INDArray images) {
        return forward(images, Set.of());
    }

    /**
     * {@link #forward(INDArray)}, also keeping the attention probabilities of the 0-based {@code attentionBlocks}
     * (the other blocks' are never kept: they cost nothing extra).
     *
     * @throws IllegalStateException when attention is asked for and the encoder does not run on the native engine,
     *                               the only path that exposes it
     */
    public EncoderActivations forward(INDArray images, Set<Integer> attentionBlocks) {
        boolean nativePass = NativeEncoderPass.supports(graph, config);
        for (int b : attentionBlocks) {
            if (b < 0 || b >= config.depth()) {
                throw new IllegalArgumentException(
                        "attention block " + b + " (0-based) is outside the encoder's " + config.depth() + " blocks");
            }
        }
        if (!attentionBlocks.isEmpty() && !nativePass) {
            throw new IllegalStateException("attention probabilities are exposed by the native engine only (ND4J's"
                    + " CPU backend in FLOAT or DOUBLE, -D" + NativeEngine.PROPERTY + "=native); this encoder runs"
                    + " its SameDiff layers");
        }
        NativeEncoderPass.Result pass =
                nativePass ? NativeEncoderPass.run(graph, config, images, recycler::take, attentionBlocks) : null;
        Map<String, INDArray> acts =
                nativePass ? pass.activations() : graph.feedForward(new INDArray[] {images}, false, false);
        List<INDArray> scaledBranches = nativePass ? pass.scaledBranches() : List.of();
        int t = config.tokens();
        int d = config.embedDim();
        INDArray embeddings = tokens(acts, VertexNames.EMBED, t, d);
        INDArray blockInput =
                config.family() == ModelFamily.DATA2VEC2 ? tokens(acts, VertexNames.EMBED_NORM, t, d) : embeddings;
        List<INDArray> outs = new ArrayList<>();
        List<INDArray> mlps = new ArrayList<>();
        List<INDArray> ffns = new ArrayList<>();
        for (int b = 0; b < config.depth(); b++) {
            outs.add(tokens(acts, VertexNames.block(b), t, d));
            INDArray mlp = tokens(acts, VertexNames.mlp(b), t, d);
            mlps.add(mlp);
            if (config.family() != ModelFamily.BEITV2) {
                ffns.add(mlp);
            } else if (scaledBranches.isEmpty()) {
                ffns.add(mlp.mul(layerScale(b)));
            } else {
                ffns.add(scaledBranches.get(b).reshape('c', mlp.size(0), t, d)); // gamma_2 * mlp, from the join
            }
        }
        Map<Integer, INDArray> attention = new TreeMap<>();
        Collection<INDArray> probs = nativePass ? pass.attention().values() : List.of();
        if (nativePass) {
            long h = config.numHeads();
            pass.attention().forEach((b, p) -> attention.put(b, p.reshape('c', p.size(0) / (h * t), h, t, t)));
        }
        return new EncoderActivations(
                embeddings,
                blockInput,
                List.copyOf(outs),
                List.copyOf(mlps),
                List.copyOf(ffns),
                Collections.unmodifiableMap(attention),
                nativePass ? concat(acts.values(), scaledBranches, probs) : List.of(), // DL4J's own are left to DL4J
                nativePass ? recycler::giveBack : null);
    }

    /**
     * Frees the activation memory kept for the next {@link #forward} (an encoder keeps one pass's activations after
     * they are closed): call when the encoder goes idle.
     */
    public void releaseBuffers() {
        recycler.release();
    }

    /** How many activation arrays are kept for the next pass (for tests). */
    int forwardBuffersHeld() {
        return recycler.held();
    }

    private static List<INDArray> concat(Collection<INDArray> a, List<INDArray> b, Collection<INDArray> c) {
        List<INDArray> all = new ArrayList<>(a);
        all.addAll(b);
        all.addAll(c);
        return List.copyOf(all);
    }

    /** BEiT's gamma_2 of a block, [1, D] for broadcasting. */
    private INDArray layerScale(int block) {
        return graph.getLayer(VertexNames.block(block)).getParam("gamma2").reshape(1, config.embedDim());
    }

    private static INDArray tokens(Map<String, INDArray> acts, String vertex, int t, int d) {
        INDArray flat = acts.get(vertex);
        if (flat == null) {
            throw new IllegalStateException("graph has no activation for vertex " + vertex);
        }
        return flat.reshape('c', flat.size(0), t, d);
    }
}
