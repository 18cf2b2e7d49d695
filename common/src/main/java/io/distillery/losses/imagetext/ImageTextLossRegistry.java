package io.distillery.losses.imagetext;

import com.typesafe.config.Config;
import io.distillery.config.NamedFactories;
import java.util.List;
import java.util.Map;

/**
 * The closed set of image–text losses a config may name (CLIP-KD's terms), each with its parameters and their
 * defaults (the reference's). A config only picks from this table, and every parameter it sets must exist: a typo
 * fails here instead of silently leaving a default in force. The weight of each term is the trainer's, not a loss
 * parameter.
 */
public final class ImageTextLossRegistry {
    private static final NamedFactories<ImageTextLoss> TABLE = new NamedFactories<>("image-text loss");

    static {
        TABLE.add(ClipContrastiveLoss.TYPE, Map.of(), p -> new ClipContrastiveLoss());
        TABLE.add(
                FeatureDistillationLoss.TYPE, Map.of(), p -> new FeatureDistillationLoss(FeatureDistillationLoss.TYPE));
        TABLE.add(
                FeatureDistillationLoss.MASKED_TYPE,
                Map.of(FeatureDistillationLoss.MASK_RATIO, FeatureDistillationLoss.DEFAULT_MASK_RATIO),
                p -> new FeatureDistillationLoss(
                        FeatureDistillationLoss.MASKED_TYPE, p.get(FeatureDistillationLoss.MASK_RATIO)));
        TABLE.add(InteractiveContrastiveLoss.TYPE, Map.of(), p -> new InteractiveContrastiveLoss());
        // CLIP-KD's DistillKL(T=1)
        TABLE.add(
                ContrastiveRelationalLoss.TYPE,
                Map.of("temperature", 1.0),
                p -> new ContrastiveRelationalLoss(p.get("temperature")));
        TABLE.add(GradientDistillationLoss.TYPE, Map.of(), p -> new GradientDistillationLoss());
        TABLE.add(AugmentedFeatureDistillationLoss.TYPE, Map.of(), p -> new AugmentedFeatureDistillationLoss());
    }

    private ImageTextLossRegistry() {}

    /** The names, in registration order. */
    public static List<String> types() {
        return TABLE.types();
    }

    /** The parameters of {@code type} and their defaults. */
    public static Config defaults(String type) {
        return TABLE.defaults(type);
    }

    /**
     * {@code type} with {@code params} (keys relative to the loss, e.g. {@code temperature = 2}) over its defaults.
     * An unknown type or parameter is an {@link IllegalArgumentException} naming it and the known ones.
     */
    public static ImageTextLoss create(String type, Config params) {
        return TABLE.create(type, params);
    }
}
