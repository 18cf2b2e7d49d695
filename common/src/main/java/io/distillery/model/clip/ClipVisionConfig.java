package io.distillery.model.clip;

/**
 * The image tower of an open_clip ViT CLIP ({@code vision_cfg}): square images of {@code imageSize} pixels cut
 * into {@code patchSize} patches, {@code layers} pre-norm blocks of {@code width} channels in heads of
 * {@code headWidth}, MLPs of {@code mlpWidth} ({@code int(width * mlp_ratio)}, as open_clip computes it).
 */
public record ClipVisionConfig(int imageSize, int patchSize, int width, int layers, int headWidth, int mlpWidth) {

    public ClipVisionConfig {
        ClipConfig.positive("vision_cfg.image_size", imageSize);
        ClipConfig.positive("vision_cfg.patch_size", patchSize);
        ClipConfig.positive("vision_cfg.width", width);
        ClipConfig.positive("vision_cfg.layers", layers);
        ClipConfig.positive("vision_cfg.head_width", headWidth);
        ClipConfig.positive("vision_cfg.mlp_ratio * width", mlpWidth);
        if (imageSize % patchSize != 0) {
            // open_clip's conv would silently drop the remainder rows and columns
            throw new IllegalArgumentException(
                    "vision_cfg.image_size " + imageSize + " is not a multiple of vision_cfg.patch_size " + patchSize);
        }
        if (width % headWidth != 0) {
            throw new IllegalArgumentException(
                    "vision_cfg.width " + width + " is not a multiple of vision_cfg.head_width " + headWidth);
        }
    }

    /** Patches per side. */
    public int grid() {
        return imageSize / patchSize;
    }

    /** The class token and the patches. */
    public int tokens() {
        return grid() * grid() + 1;
    }

    public int heads() {
        return width / headWidth;
    }
}
