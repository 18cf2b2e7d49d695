package io.distillery.model.clip;

import java.nio.file.Path;

/**
 * An open_clip ViT CLIP: both towers project to {@code embedDim}; {@code quickGelu} selects OpenAI's
 * {@code x * sigmoid(1.702 x)} in every MLP of both towers instead of the exact (erf) GELU. Every LayerNorm has
 * epsilon {@link #LAYER_NORM_EPS}, open_clip's (PyTorch's) default.
 */
public record ClipConfig(int embedDim, boolean quickGelu, ClipVisionConfig vision, ClipTextConfig text) {
    public static final double LAYER_NORM_EPS = 1e-5;

    public ClipConfig {
        positive("embed_dim", embedDim);
        if (vision == null || text == null) {
            throw new IllegalArgumentException("a CLIP needs both vision_cfg and text_cfg");
        }
    }

    /**
     * Reads an open_clip model config ({@code src/open_clip/model_configs/*.json} format).
     *
     * @throws IllegalArgumentException naming the file and the key, for a malformed value or an option this model
     *                                  does not implement
     */
    public static ClipConfig fromJson(Path path) {
        return ClipConfigJson.read(path);
    }

    static void positive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
    }

    @Override
    public String toString() {
        return "CLIP ViT embed " + embedDim + (quickGelu ? " QuickGELU" : " GELU") + ", image " + vision.imageSize()
                + "/" + vision.patchSize() + " " + vision.layers() + " x " + vision.width() + " (" + vision.heads()
                + " heads, MLP " + vision.mlpWidth() + "), text " + text.contextLength() + " tokens of "
                + text.vocabSize() + " " + text.layers() + " x " + text.width() + " (" + text.heads() + " heads, MLP "
                + text.mlpWidth() + ")";
    }
}
