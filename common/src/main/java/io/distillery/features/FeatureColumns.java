package io.distillery.features;

/** Column names of a feature dataset (one row per (sample, view)); see docs/feature-format.md. */
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
    public static final String TARGET = "target";
    public static final String CLS = "cls";
    public static final String POOLED = "pooled";
    public static final String LOGITS = "logits";
    /** Raw layer columns are {@code layer_LL} with LL the 1-based block number, two digits. */
    public static final String LAYER_PREFIX = "layer_";

    private FeatureColumns() {}

    public static String layer(int oneBasedBlock) {
        return String.format(java.util.Locale.ROOT, "%s%02d", LAYER_PREFIX, oneBasedBlock);
    }
}
