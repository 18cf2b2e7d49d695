package io.distillery.model.clip;

/**
 * The text tower of an open_clip CLIP ({@code text_cfg}): at most {@code contextLength} token ids below
 * {@code vocabSize}, {@code layers} causal pre-norm blocks of {@code width} channels in {@code heads} heads, MLPs of
 * {@code mlpWidth} ({@code int(width * mlp_ratio)}).
 */
public record ClipTextConfig(int contextLength, int vocabSize, int width, int heads, int layers, int mlpWidth) {

    public ClipTextConfig {
        ClipConfig.positive("text_cfg.context_length", contextLength);
        ClipConfig.positive("text_cfg.vocab_size", vocabSize);
        ClipConfig.positive("text_cfg.width", width);
        ClipConfig.positive("text_cfg.heads", heads);
        ClipConfig.positive("text_cfg.layers", layers);
        ClipConfig.positive("text_cfg.mlp_ratio * width", mlpWidth);
        if (width % heads != 0) {
            throw new IllegalArgumentException(
                    "text_cfg.width " + width + " is not a multiple of text_cfg.heads " + heads);
        }
    }
}
