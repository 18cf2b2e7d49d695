package io.distillery.student;

import io.distillery.model.ModelConfig;
import io.distillery.model.ModelFamily;
import io.distillery.model.layers.BlockStyle;

/**
 * The multimodal student's shape ({@link ImageTextStudentGraph}).
 *
 * @param image             the image encoder: image size, patches, channels, and the shared width D, heads, MLP
 *                          ratio and LayerNorm eps of every block; its {@code depth} is the number of shared blocks.
 *                          Its family sets the style of the shared and the image's own blocks: data2vec2 (post-norm,
 *                          sin-cos positions, {@code norm_pre}) or BEiT v2 (pre-norm with layer scale, relative
 *                          position bias on the image tokens, a final LayerNorm on each pooled embedding)
 * @param vocabSize         text vocabulary (word embedding rows)
 * @param maxPositions      learned text positions (at least {@code textTokens})
 * @param typeVocabSize     token type embedding rows
 * @param textTokens        the padded caption length Tt
 * @param topBlocks         modality-specific blocks after the shared ones, per modality (0: none)
 * @param embedDim          the contrastive embedding width E
 * @param imageWeight       weight of the image d2v loss in the objective
 * @param textWeight        weight of the caption d2v loss
 * @param contrastiveWeight weight of the image-text contrastive loss
 */
public record ImageTextStudentConfig(
        ModelConfig image,
        int vocabSize,
        int maxPositions,
        int typeVocabSize,
        int textTokens,
        int topBlocks,
        int embedDim,
        double imageWeight,
        double textWeight,
        double contrastiveWeight) {

    public ImageTextStudentConfig {
        if (image.family() != ModelFamily.DATA2VEC2 && image.family() != ModelFamily.BEITV2) {
            throw new IllegalArgumentException("the image-text student's blocks are data2vec2-style or BEiT v2-style;"
                    + " got an image family " + image.family().id());
        }
        if (vocabSize < 1 || typeVocabSize < 1 || textTokens < 1 || topBlocks < 0 || embedDim < 1) {
            throw new IllegalArgumentException("invalid image-text student: vocab " + vocabSize + ", type vocab "
                    + typeVocabSize + ", text tokens " + textTokens + ", top blocks " + topBlocks + ", embed dim "
                    + embedDim);
        }
        if (textTokens > maxPositions) {
            throw new IllegalArgumentException(
                    textTokens + " text tokens, but the student has " + maxPositions + " positions (max_positions)");
        }
        weight("image weight", imageWeight);
        weight("text weight", textWeight);
        weight("contrastive weight", contrastiveWeight);
        if (imageWeight + textWeight + contrastiveWeight == 0) {
            throw new IllegalArgumentException("the image, text and contrastive weights are all 0: nothing to learn");
        }
    }

    /** A weight of 0 switches its loss off (e.g. contrastive alone: the CLIP baseline without teachers). */
    private static void weight(String key, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(key + " must be a finite number >= 0, got " + value);
        }
    }

    /** Image tokens Ti: CLS + patches. */
    public int imageTokens() {
        return image.tokens();
    }

    public int sharedBlocks() {
        return image.depth();
    }

    /** Layers on each modality's path: the shared blocks, then its own. */
    public int depth() {
        return sharedBlocks() + topBlocks;
    }

    public int width() {
        return image.embedDim();
    }

    /** Whether the shared and image blocks are BEiT v2's (pre-norm, layer scale), else data2vec 2.0's (post-norm). */
    public boolean beitStyle() {
        return image.family() == ModelFamily.BEITV2;
    }

    /** The shared and image blocks' style. */
    public BlockStyle imageStyle() {
        return beitStyle() ? BlockStyle.BEIT_PRE_NORM_LAYER_SCALE : BlockStyle.DATA2VEC_POST_NORM;
    }

    /** The patch grid side of the image tokens' relative position bias; 0 = none. */
    public int relPosGrid() {
        return beitStyle() && image.useRelPosBias() ? image.gridSize() : 0;
    }
}
