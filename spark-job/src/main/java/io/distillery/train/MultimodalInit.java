package io.distillery.train;

import com.typesafe.config.Config;
import io.distillery.checkpoint.SafetensorsFile;
import io.distillery.checkpoint.TensorInfo;
import io.distillery.model.EncoderLoader;
import io.distillery.model.bert.BertConfig;
import io.distillery.model.text.TextEncoderGraph;
import io.distillery.model.text.TextWeights;
import io.distillery.spark.ModelFiles;
import io.distillery.student.ImageTextStudentConfig;
import io.distillery.student.ImageTextStudentWeights;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code student.multimodal.init}: a multimodal student's layers inherited from other models (the method seed's
 * point), before its first step. {@code image-checkpoint} (an encoder of the student's image family: data2vec2, timm
 * or fairseq names, or a timm BEiT v2 for a BEiT-style student) gives the patch embedding (and data2vec2's
 * {@code norm_pre}), and its blocks {@code image-blocks} the image path's layers 0, 1, ...;
 * {@code text-checkpoint} (a Hugging Face BERT) gives the word, position and type embeddings, and its layers
 * {@code text-layers} the text path's layers; an empty list takes the input layers only. A shared block takes one
 * source only. Both sources need the student's
 * width; the student's own heads and LayerNorm eps are kept.
 */
final class MultimodalInit {
    private static final Logger LOG = LoggerFactory.getLogger(MultimodalInit.class);
    static final String SECTION = ImageTextTrainJob.SECTION + ".init";

    private MultimodalInit() {}

    static void apply(TrainSettings s, ImageTextStudentConfig c, ComputationGraph net, Configuration conf) {
        Config init = s.source().getConfig(SECTION);
        String key = s.section() + "." + SECTION;
        String image = init.hasPath("image-checkpoint") ? init.getString("image-checkpoint") : null;
        String text = init.hasPath("text-checkpoint") ? init.getString("text-checkpoint") : null;
        int[] blocks = layers(init, "image-blocks", image, key, c);
        int[] layers = layers(init, "text-layers", text, key, c);
        if (image == null && text == null) {
            LOG.info(
                    "multimodal student starts from random weights (seed {})",
                    s.optimization().seed());
            return;
        }
        if (Math.min(blocks.length, layers.length) > 0 && c.sharedBlocks() > 0) {
            throw new IllegalArgumentException(key + ": image-blocks and text-layers both initialise shared block 0;"
                    + " a shared block takes one source (leave one list empty: that side takes its embeddings only)");
        }
        if (image != null) {
            Path local = local(image, key + ".image-checkpoint", conf);
            // an empty list: the input layers only (the encoder is read with one block, which is not copied)
            int[] read = blocks.length == 0 ? new int[] {0} : blocks;
            org.deeplearning4j.nn.graph.ComputationGraph encoder;
            try {
                encoder = EncoderLoader.inherit(c.image().withDepth(read.length), local, read)
                        .graph();
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(
                        key + ".image-checkpoint: the student's image model is "
                                + c.image().family().id() + "-style, so the checkpoint must be a "
                                + c.image().family().id() + " encoder of its width: " + e.getMessage(),
                        e);
            }
            ImageTextStudentWeights.inheritImage(net, c, encoder, blocks.length);
            LOG.info("image path initialised from blocks {} of {}", java.util.Arrays.toString(blocks), image);
        }
        if (text != null) {
            Path local = local(text, key + ".text-checkpoint", conf);
            BertConfig source = bertShape(local, c, key + ".text-checkpoint " + text);
            int[] read = layers.length == 0 ? new int[] {0} : layers;
            BertConfig kept = new BertConfig(
                    source.vocabSize(),
                    source.hiddenSize(),
                    read.length,
                    source.numHeads(),
                    source.intermediateSize(),
                    source.maxPositions(),
                    source.typeVocabSize(),
                    source.layerNormEps());
            ComputationGraph bert = TextEncoderGraph.create(kept, c.textTokens(), 0, DataType.FLOAT);
            TextWeights.load(bert, source, local, read);
            ImageTextStudentWeights.inheritText(net, c, bert, layers.length);
            LOG.info("text path initialised from layers {} of {}", java.util.Arrays.toString(layers), text);
        }
    }

    /** The listed layers: at least one when the checkpoint is set, none otherwise, at most the path's depth. */
    private static int[] layers(Config init, String name, String checkpoint, String key, ImageTextStudentConfig c) {
        List<Integer> listed = init.getIntList(name);
        if (checkpoint == null) {
            if (!listed.isEmpty()) {
                throw new IllegalArgumentException(key + "." + name + " is set but its checkpoint is not");
            }
            return new int[0];
        }
        if (listed.size() > c.depth()) {
            throw new IllegalArgumentException(key + "." + name + " lists " + listed.size() + " layers of " + checkpoint
                    + " but the student's path has " + c.depth());
        }
        return listed.stream().mapToInt(Integer::intValue).toArray();
    }

    private static Path local(String file, String key, Configuration conf) {
        try {
            return ModelFiles.localCopy(file, conf);
        } catch (IOException e) {
            throw new UncheckedIOException(key + " " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The BERT checkpoint's shape, read from its tensors (vocabulary, width, layers, FFN, positions, types); heads and
     * eps are the student's, which the weights do not fix.
     */
    private static BertConfig bertShape(Path checkpoint, ImageTextStudentConfig c, String what) {
        try (SafetensorsFile file = SafetensorsFile.open(checkpoint)) {
            String prefix = file.contains("bert.embeddings.word_embeddings.weight") ? TextWeights.BERT_PREFIX : "";
            long[] words = shape(file, prefix + "embeddings.word_embeddings.weight", what);
            long[] positions = shape(file, prefix + "embeddings.position_embeddings.weight", what);
            long[] types = shape(file, prefix + "embeddings.token_type_embeddings.weight", what);
            long[] ffn = shape(file, prefix + "encoder.layer.0.intermediate.dense.weight", what);
            return new BertConfig(
                    (int) words[0],
                    (int) words[1],
                    TextTrainJob.checkpointLayers(checkpoint),
                    c.image().numHeads(),
                    (int) ffn[0],
                    (int) positions[0],
                    (int) types[0],
                    c.image().layerNormEps());
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": " + e.getMessage(), e);
        }
    }

    private static long[] shape(SafetensorsFile file, String name, String what) {
        if (!file.contains(name)) {
            throw new IllegalArgumentException(what + ": no tensor '" + name + "'; not a BERT checkpoint");
        }
        TensorInfo info = file.info(name);
        return info.shape();
    }
}
