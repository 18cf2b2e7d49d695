package io.distillery.losses.imagetext;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The closed set of image–text losses a config may name (CLIP-KD's terms), each with its parameters and their
 * defaults (the reference's). A config only picks from this table, and every parameter it sets must exist: a typo
 * fails here instead of silently leaving a default in force. The weight of each term is the trainer's, not a loss
 * parameter.
 */
public final class ImageTextLossRegistry {

    private record Entry(Map<String, Object> defaults, Function<Params, ImageTextLoss> factory) {}

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        add(ClipContrastiveLoss.TYPE, Map.of(), p -> new ClipContrastiveLoss());
        add(FeatureDistillationLoss.TYPE, Map.of(), p -> new FeatureDistillationLoss(FeatureDistillationLoss.TYPE));
        add(
                FeatureDistillationLoss.MASKED_TYPE,
                Map.of(),
                p -> new FeatureDistillationLoss(FeatureDistillationLoss.MASKED_TYPE));
        add(InteractiveContrastiveLoss.TYPE, Map.of(), p -> new InteractiveContrastiveLoss());
        // CLIP-KD's DistillKL(T=1)
        add(
                ContrastiveRelationalLoss.TYPE,
                Map.of("temperature", 1.0),
                p -> new ContrastiveRelationalLoss(p.get("temperature")));
        add(GradientDistillationLoss.TYPE, Map.of(), p -> new GradientDistillationLoss());
        add(AugmentedFeatureDistillationLoss.TYPE, Map.of(), p -> new AugmentedFeatureDistillationLoss());
    }

    private ImageTextLossRegistry() {}

    private static void add(String type, Map<String, Object> defaults, Function<Params, ImageTextLoss> factory) {
        ENTRIES.put(type, new Entry(defaults, factory));
    }

    /** The loss names, in registration order. */
    public static List<String> types() {
        return List.copyOf(ENTRIES.keySet());
    }

    /** The parameters of {@code type} and their defaults. */
    public static Config defaults(String type) {
        return ConfigFactory.parseMap(entry(type).defaults(), "defaults of image-text loss " + type);
    }

    /**
     * The loss {@code type} with {@code params} (keys relative to the loss, e.g. {@code temperature = 2}) over its
     * defaults. An unknown type or parameter is an {@link IllegalArgumentException} naming it and the known ones.
     */
    public static ImageTextLoss create(String type, Config params) {
        Entry entry = entry(type);
        Set<String> unknown = new TreeSet<>(params.root().keySet());
        unknown.removeAll(entry.defaults().keySet());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("image-text loss '" + type + "': unknown parameter"
                    + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown) + " (known: "
                    + known(entry.defaults().keySet()) + ")");
        }
        return entry.factory().apply(new Params(type, params.withFallback(defaults(type))));
    }

    private static Entry entry(String type) {
        Entry entry = type == null ? null : ENTRIES.get(type);
        if (entry == null) {
            throw new IllegalArgumentException(
                    "unknown image-text loss '" + type + "' (known: " + String.join(", ", types()) + ")");
        }
        return entry;
    }

    private static String known(Set<String> names) {
        if (names.isEmpty()) {
            return "none";
        }
        List<String> sorted = new ArrayList<>(names);
        Collections.sort(sorted);
        return String.join(", ", sorted);
    }

    /** Typed access to one loss's merged parameters; a wrong type names the parameter. */
    private record Params(String type, Config config) {
        double get(String key) {
            try {
                return config.getDouble(key);
            } catch (ConfigException.WrongType e) {
                throw new IllegalArgumentException(
                        type + "." + key + " must be a number, got '"
                                + config.getValue(key).unwrapped() + "'",
                        e);
            }
        }
    }
}
