package io.distillery.model;

import io.distillery.checkpoint.SafetensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Builds encoders from safetensors checkpoints: as they are, or as a shallow student inheriting chosen blocks. */
public final class EncoderLoader {
    private EncoderLoader() {}

    /** The checkpoint's tensors under timm names (fairseq names are renamed). */
    public static Map<String, INDArray> readTensors(Path checkpoint) {
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        try (SafetensorsFile file = SafetensorsFile.open(checkpoint)) {
            for (String name : file.names()) {
                tensors.put(name, file.readArray(name));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(checkpoint + ": " + e.getMessage(), e);
        }
        return CheckpointKeys.toTimm(tensors);
    }

    /** An encoder with exactly the checkpoint's weights; every tensor must fit {@code config}. */
    public static Encoder load(ModelConfig config, Path checkpoint) {
        return EncoderWeights.load(config, readTensors(checkpoint), checkpoint.toString());
    }

    /** As {@link #inherit(ModelConfig, Path, int, int[])}, the source depth counted from the checkpoint's block keys. */
    public static Encoder inherit(ModelConfig studentConfig, Path checkpoint, int[] blocks) {
        Map<String, INDArray> tensors = readTensors(checkpoint);
        int depth = 1
                + tensors.keySet().stream()
                        .filter(k -> k.startsWith("blocks."))
                        .mapToInt(k -> Integer.parseInt(k.substring(7, k.indexOf('.', 7))))
                        .max()
                        .orElse(-1);
        Map<String, INDArray> selected = LayerInheritance.selectBlocks(tensors, blocks, depth);
        return EncoderWeights.load(
                withSourceHead(studentConfig, tensors),
                selected,
                checkpoint + " (blocks " + java.util.Arrays.toString(blocks) + ")");
    }

    /**
     * {@code config} with the classifier width of a finetuned source's head ({@code head.weight}), so that a student
     * without one can take the blocks of a finetuned teacher: the head is read, and the callers copy blocks only.
     */
    private static ModelConfig withSourceHead(ModelConfig config, Map<String, INDArray> tensors) {
        INDArray head = tensors.get("head.weight");
        return head == null || config.numClasses() != 0 ? config : config.withNumClasses((int) head.size(0));
    }

    /**
     * A student of {@code studentConfig} (its depth = {@code blocks.length}) seeded from {@code blocks} of a deeper
     * checkpoint of the same family, plus that checkpoint's embeddings.
     */
    public static Encoder inherit(ModelConfig studentConfig, Path checkpoint, int sourceDepth, int[] blocks) {
        if (studentConfig.depth() != blocks.length) {
            throw new IllegalArgumentException(
                    "student depth " + studentConfig.depth() + " != number of inherited blocks " + blocks.length);
        }
        Map<String, INDArray> tensors = readTensors(checkpoint);
        Map<String, INDArray> selected = LayerInheritance.selectBlocks(tensors, blocks, sourceDepth);
        return EncoderWeights.load(
                withSourceHead(studentConfig, tensors),
                selected,
                checkpoint + " (blocks " + java.util.Arrays.toString(blocks) + ")");
    }
}
