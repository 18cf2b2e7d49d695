package io.distillery.student;

import io.distillery.model.VertexNames;
import java.util.Arrays;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Initialises a multimodal student ({@link ImageTextStudentGraph}) from layers of other models, the method seed's
 * point: the image path from an image encoder of the student's image family ({@code EncoderGraph} names: a
 * data2vec2 encoder into post-norm blocks, a BEiT v2 into BEiT-style ones) and the text path from a BERT-style text
 * encoder ({@code TextEncoderGraph} names), all of the student's width. Source block k goes to the path's layer k (a
 * shared block, or the modality's own top block after them); the input layers (patch embedding, with data2vec2's
 * {@code norm_pre}; word, position and type embeddings with their LayerNorm) come along.
 */
public final class ImageTextStudentWeights {
    private ImageTextStudentWeights() {}

    /** Layer k's three graph layers (attention, MLP, residual join) on {@code modality}'s path. */
    private static String[] pathLayers(ImageTextStudentConfig c, boolean image, int k) {
        String scope = k < c.sharedBlocks() ? "" : image ? "image." : "text.";
        int n = k < c.sharedBlocks() ? k : k - c.sharedBlocks();
        return new String[] {scope + VertexNames.attention(n), scope + VertexNames.mlp(n), scope + VertexNames.block(n)
        };
    }

    /** Copies the encoder's input layers and its blocks 0..n-1 into the image path's layers 0..n-1. */
    public static void inheritImage(
            ComputationGraph student, ImageTextStudentConfig c, ComputationGraph encoder, int blocks) {
        copy(encoder, VertexNames.EMBED, student, ImageTextStudentGraph.IMAGE_EMBED);
        if (!c.beitStyle()) {
            copy(encoder, VertexNames.EMBED_NORM, student, ImageTextStudentGraph.IMAGE_EMBED_NORM);
        }
        copyBlocks(encoder, student, c, true, blocks);
    }

    /**
     * Copies the text encoder's embeddings (the first {@code textTokens} positions of its position table) and its
     * blocks 0..n-1 into the text path's layers 0..n-1.
     */
    public static void inheritText(
            ComputationGraph student, ImageTextStudentConfig c, ComputationGraph encoder, int blocks) {
        Layer from = encoder.getLayer(VertexNames.EMBED);
        Layer to = student.getLayer(ImageTextStudentGraph.TEXT_EMBED);
        for (String p : new String[] {"wordW", "typeW", "normW", "normB"}) {
            assign(from.getParam(p), to.getParam(p), VertexNames.EMBED + "." + p);
        }
        INDArray positions = from.getParam("posW");
        long needed = to.getParam("posW").size(0);
        if (positions.size(0) < needed) {
            throw new IllegalArgumentException(
                    "the text encoder has " + positions.size(0) + " positions, the student" + " needs " + needed);
        }
        assign(positions.get(NDArrayIndex.interval(0, needed), NDArrayIndex.all()), to.getParam("posW"), "posW");
        if (blocks > 0 && c.beitStyle() && c.sharedBlocks() > 0) {
            throw new IllegalArgumentException("cannot inherit " + blocks + " text layers: the student's shared"
                    + " blocks are BEiT-style (pre-norm), a BERT layer is post-norm; inherit its embeddings only"
                    + " (an empty list) or use a data2vec2-style student");
        }
        copyBlocks(encoder, student, c, false, blocks);
    }

    /** The encoder's blocks 0..n-1 into the path's layers 0..n-1. */
    private static void copyBlocks(
            ComputationGraph encoder, ComputationGraph student, ImageTextStudentConfig c, boolean image, int blocks) {
        int available = 0;
        while (encoder.getVertex(VertexNames.block(available)) != null) {
            available++;
        }
        if (blocks > available || blocks > c.depth()) {
            throw new IllegalArgumentException("cannot inherit " + blocks + " " + (image ? "image" : "text")
                    + " blocks: the source has " + available + ", the student's path " + c.depth() + " layers");
        }
        for (int k = 0; k < blocks; k++) {
            String[] source = {VertexNames.attention(k), VertexNames.mlp(k), VertexNames.block(k)};
            String[] target = pathLayers(c, image, k);
            for (int i = 0; i < 3; i++) {
                copy(encoder, source[i], student, target[i]);
            }
        }
    }

    private static void copy(ComputationGraph from, String fromLayer, ComputationGraph to, String toLayer) {
        Layer source = from.getLayer(fromLayer);
        Layer target = to.getLayer(toLayer);
        if (source == null || target == null) {
            throw new IllegalArgumentException("no layer '" + (source == null ? fromLayer : toLayer) + "' to copy");
        }
        assign(source.params(), target.params(), toLayer);
    }

    private static void assign(INDArray source, INDArray target, String what) {
        if (!Arrays.equals(source.shape(), target.shape())) {
            throw new IllegalArgumentException(what + ": the source has shape " + Arrays.toString(source.shape())
                    + ", the student " + Arrays.toString(target.shape())
                    + " (inherited layers need the student's width, heads aside)");
        }
        target.assign(source.castTo(target.dataType()));
    }
}
