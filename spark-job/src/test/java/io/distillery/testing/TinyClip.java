package io.distillery.testing;

import io.distillery.checkpoint.SafetensorsFile;
import io.distillery.checkpoint.SafetensorsWriter;
import io.distillery.checkpoint.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * The tiny random open_clip of common's fixtures ({@code /clip/}: image 32, patch 8, width 64; text context 16, width
 * 48; embed 32) given CLIP's real vocabulary size, so that the bundled BPE tokenizer's ids (up to 49 407) fit: the
 * fixture's 100-row token embedding is replaced by a seeded random one of 49 408 rows.
 */
public final class TinyClip {
    public static final int VOCAB = 49408;
    public static final int IMAGE_SIZE = 32;
    public static final int CONTEXT = 16;
    public static final int EMBED = 32;

    private TinyClip() {}

    /** Writes the model config and weights into {@code dir}; returns {config, weights}. */
    public static Path[] write(Path dir) throws IOException {
        Files.createDirectories(dir);
        String config = Files.readString(ResourceFiles.of("/clip/ViT-tiny.json"))
                .replace("\"vocab_size\": 100", "\"vocab_size\": " + VOCAB);
        Path configFile = Files.writeString(dir.resolve("ViT-tiny-49408.json"), config);
        SafetensorsWriter writer = new SafetensorsWriter();
        try (SafetensorsFile fixture = SafetensorsFile.open(ResourceFiles.of("/clip/weights.safetensors"))) {
            for (TensorInfo t : fixture.tensors()) {
                if (t.name().equals("token_embedding.weight")) {
                    Random random = new Random(5);
                    float[] table = new float[VOCAB * (int) t.shape()[1]];
                    for (int i = 0; i < table.length; i++) {
                        table[i] = (float) (0.02 * random.nextGaussian());
                    }
                    writer.addFloats(t.name(), table, new long[] {VOCAB, t.shape()[1]}, t.dtype());
                } else {
                    writer.add(t.name(), t.dtype(), t.shape(), fixture.readBytes(t.name()));
                }
            }
        }
        Path weights = dir.resolve("clip.safetensors");
        writer.write(weights);
        return new Path[] {configFile, weights};
    }
}
