package io.distillery.features;

/**
 * Column names of a feature dataset (one row per (sample, view) for images, one per text for texts); see
 * docs/feature-format.md.
 */
public final class FeatureColumns {
    public static final String KEY = "key";
    public static final String SHARD = "shard";
    public static final String VIEW = "view";
    public static final String LABEL = "label";
    public static final String CAPTION = "caption";
    public static final String SRC_WIDTH = "src_width";
    public static final String SRC_HEIGHT = "src_height";
    public static final String CROP_X = "crop_x";
    public static final String CROP_Y = "crop_y";
    public static final String CROP_W = "crop_w";
    public static final String CROP_H = "crop_h";
    public static final String FLIP = "flip";
    public static final String PIXELS = "pixels";
    /** Text rows: the text as read (before tokenization). */
    public static final String TEXT = "text";
    /** Text rows: the T token ids, int32, [CLS] first, [PAD] after [SEP]. */
    public static final String INPUT_IDS = "input_ids";
    /** Text rows: uint8 [T], 1 for a real token, 0 for padding (whose target is 0 and must be skipped). */
    public static final String ATTENTION_MASK = "attention_mask";
    /**
     * Captioned image rows: the prefix of the caption's columns ({@code caption_input_ids},
     * {@code caption_attention_mask}, {@code caption_target}), set on view-0 rows only.
     */
    public static final String CAPTION_PREFIX = "caption_";
    /** open_clip teacher rows: the view's L2-normalised CLIP image embedding [E]. */
    public static final String IMAGE_EMBEDDING = "image_embedding";
    /** open_clip teacher: the caption's L2-normalised CLIP text embedding [E] (stored as {@code caption_embedding}). */
    public static final String EMBEDDING = "embedding";

    public static final String TARGET = "target";
    public static final String CLS = "cls";
    public static final String POOLED = "pooled";
    /** All C classifier logits of the view ({@code store.logits} with {@code logits-top-k = 0}). */
    public static final String LOGITS = "logits";
    /** The K largest logits' class indices, int32, by value descending ({@code logits-top-k = K}). */
    public static final String LOGITS_TOPK_INDEX = "logits_topk_index";
    /** The K largest logits, in {@link #LOGITS_TOPK_INDEX}'s order. */
    public static final String LOGITS_TOPK_VALUE = "logits_topk_value";
    /** log sum exp of the other C - K logits: what {@link TopKLogits} needs to rebuild the full softmax's mass. */
    public static final String LOGITS_TOPK_REST = "logits_topk_rest";
    /** Raw layer columns are {@code layer_LL} with LL the 1-based block number, two digits. */
    public static final String LAYER_PREFIX = "layer_";
    /** Attention probability columns are {@code attention_LL}, LL as in {@link #LAYER_PREFIX}. */
    public static final String ATTENTION_PREFIX = "attention_";

    private FeatureColumns() {}

    /** The caption column holding what the text column {@code textColumn} holds for text rows. */
    public static String caption(String textColumn) {
        return CAPTION_PREFIX + textColumn;
    }

    public static String layer(int oneBasedBlock) {
        return String.format(java.util.Locale.ROOT, "%s%02d", LAYER_PREFIX, oneBasedBlock);
    }

    public static String attention(int oneBasedBlock) {
        return String.format(java.util.Locale.ROOT, "%s%02d", ATTENTION_PREFIX, oneBasedBlock);
    }
}
