package io.distillery.importer;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Class names for labels 0, 1, ...: a preset, or a comma-separated list. */
public final class ClassNames {
    /** Fashion-MNIST's ten classes (zalandoresearch/fashion-mnist README). */
    public static final List<String> FASHION_MNIST = List.of(
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** MNIST's ten digits. */
    public static final List<String> MNIST = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    private static final Map<String, List<String>> PRESETS =
            new TreeMap<>(Map.of("fashion-mnist", FASHION_MNIST, "mnist", MNIST));

    private ClassNames() {}

    /** Preset names, for help texts. */
    public static Set<String> presets() {
        return PRESETS.keySet();
    }

    /** A preset's names, or the names of a comma-separated list ({@code cat,dog}); names must be unique. */
    public static List<String> parse(String spec) {
        List<String> preset = PRESETS.get(spec);
        if (preset != null) {
            return preset;
        }
        if (!spec.contains(",")) {
            throw new IllegalArgumentException("--classes '" + spec + "' is neither a preset " + PRESETS.keySet()
                    + " nor a comma-separated list of at least two names");
        }
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String part : spec.split(",", -1)) {
            String name = part.strip();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("--classes '" + spec + "' has an empty name");
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException("--classes '" + spec + "' names '" + name + "' twice");
            }
            names.add(name);
        }
        return List.copyOf(names);
    }
}
