package io.distillery.objective;

import io.distillery.losses.AttentionMapLoss;
import io.distillery.losses.CosineLoss;
import io.distillery.losses.CrossEntropyLoss;
import io.distillery.losses.DkdLoss;
import io.distillery.losses.HiddenStateLoss;
import io.distillery.losses.KdLoss;
import io.distillery.losses.LskdLoss;
import io.distillery.losses.PktLoss;

/**
 * Which student tensor a loss compares, and so which head of the training graph it sits on: the data2vec target
 * head ({@code d2v}), the classifier logits, the pooled features, the block tokens or the attention maps.
 */
public enum LossGroup {
    D2V,
    LOGITS,
    FEATURES,
    TOKENS,
    ATTENTION;

    /** data2vec 2.0's regression onto the dataset's targets; not in the loss registry (the graph computes it). */
    public static final String D2V_TYPE = "d2v";

    /** The group of a registry type or {@code d2v}; an unknown type is an {@link IllegalArgumentException}. */
    public static LossGroup of(String type) {
        return switch (type) {
            case D2V_TYPE -> D2V;
            case CrossEntropyLoss.TYPE, KdLoss.TYPE, DkdLoss.TYPE, LskdLoss.TYPE -> LOGITS;
            case CosineLoss.TYPE, PktLoss.TYPE -> FEATURES;
            case HiddenStateLoss.TYPE -> TOKENS;
            case AttentionMapLoss.TYPE -> ATTENTION;
            default -> throw new IllegalArgumentException("unknown loss '" + type + "'");
        };
    }
}
