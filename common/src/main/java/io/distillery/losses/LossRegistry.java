package io.distillery.losses;

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
 * The closed set of losses a config may name, each with its parameters and their defaults (the reference
 * implementation's). A config can only pick from this table, never name a class to instantiate, and every
 * parameter it sets must exist: a typo fails here instead of silently leaving a default in force.
 */
public final class LossRegistry {

    private record Entry(Map<String, Object> defaults, Function<Params, LossTerm> factory) {}

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        add(CrossEntropyLoss.TYPE, Map.of(), p -> new CrossEntropyLoss());
        // mdistiller CFG.KD.TEMPERATURE
        add(KdLoss.TYPE, Map.of("temperature", 4.0), p -> new KdLoss(p.get("temperature")));
        // mdistiller CFG.DKD: ALPHA 1, BETA 8, T 4, WARMUP 20 epochs
        add(
                DkdLoss.TYPE,
                Map.of("alpha", 1.0, "beta", 8.0, "temperature", 4.0, "warmup", 20.0),
                p -> new DkdLoss(p.get("alpha"), p.get("beta"), p.get("temperature"), p.get("warmup")));
        // the LSKD repository's --base-temp 2; eps as in its normalize()
        add(
                LskdLoss.TYPE,
                Map.of("temperature", 2.0, "eps", 1e-7),
                p -> new LskdLoss(p.get("temperature"), p.get("eps")));
        add(HiddenStateLoss.TYPE, Map.of(), p -> new HiddenStateLoss());
        add(AttentionMapLoss.TYPE, Map.of(), p -> new AttentionMapLoss());
        // torchdistill PKTLoss eps
        add(PktLoss.TYPE, Map.of("eps", 1e-7), p -> new PktLoss(p.get("eps")));
        // F.cosine_similarity's eps
        add(CosineLoss.TYPE, Map.of("eps", 1e-8), p -> new CosineLoss(p.get("eps")));
    }

    private LossRegistry() {}

    private static void add(String type, Map<String, Object> defaults, Function<Params, LossTerm> factory) {
        ENTRIES.put(type, new Entry(defaults, factory));
    }

    /** The loss names, in registration order. */
    public static List<String> types() {
        return List.copyOf(ENTRIES.keySet());
    }

    /** The parameters of {@code type} and their defaults. */
    public static Config defaults(String type) {
        return ConfigFactory.parseMap(entry(type).defaults(), "defaults of loss " + type);
    }

    /**
     * The loss {@code type} with {@code params} (keys relative to the loss, e.g. {@code temperature = 2}) over its
     * defaults. An unknown type or parameter is an {@link IllegalArgumentException} naming it and the known ones.
     */
    public static LossTerm create(String type, Config params) {
        Entry entry = entry(type);
        Set<String> unknown = new TreeSet<>(params.root().keySet());
        unknown.removeAll(entry.defaults().keySet());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("loss '" + type + "': unknown parameter"
                    + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown) + " (known: "
                    + known(entry.defaults().keySet()) + ")");
        }
        return entry.factory().apply(new Params(type, params.withFallback(defaults(type))));
    }

    private static Entry entry(String type) {
        Entry entry = type == null ? null : ENTRIES.get(type);
        if (entry == null) {
            throw new IllegalArgumentException(
                    "unknown loss '" + type + "' (known: " + String.join(", ", types()) + ")");
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
