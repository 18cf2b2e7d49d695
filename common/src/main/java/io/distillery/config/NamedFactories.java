package io.distillery.config;

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
 * A closed table of things a config may name (e.g. losses), each with its numeric parameters and their defaults. A
 * config only picks from the table, never names a class to instantiate, and every parameter it sets must exist: a
 * typo fails here, naming it and the known ones, instead of silently leaving a default in force.
 *
 * @param <T> what the entries make
 */
public final class NamedFactories<T> {
    private record Entry<T>(Map<String, Object> defaults, Function<Params, T> factory) {}

    private final String kind;
    private final Map<String, Entry<T>> entries = new LinkedHashMap<>();

    /** @param kind how messages name an entry, e.g. {@code loss} ("unknown loss 'x'") */
    public NamedFactories(String kind) {
        this.kind = kind;
    }

    /** Registers {@code type}; {@code factory} reads the merged parameters. */
    public NamedFactories<T> add(String type, Map<String, Object> defaults, Function<Params, T> factory) {
        entries.put(type, new Entry<>(defaults, factory));
        return this;
    }

    /** The names, in registration order. */
    public List<String> types() {
        return List.copyOf(entries.keySet());
    }

    /** The parameters of {@code type} and their defaults. */
    public Config defaults(String type) {
        return ConfigFactory.parseMap(entry(type).defaults(), "defaults of " + kind + " " + type);
    }

    /**
     * {@code type} with {@code params} (keys relative to the entry, e.g. {@code temperature = 2}) over its defaults.
     * An unknown type or parameter is an {@link IllegalArgumentException} naming it and the known ones.
     */
    public T create(String type, Config params) {
        Entry<T> entry = entry(type);
        Set<String> unknown = new TreeSet<>(params.root().keySet());
        unknown.removeAll(entry.defaults().keySet());
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(kind + " '" + type + "': unknown parameter"
                    + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown) + " (known: "
                    + known(entry.defaults().keySet()) + ")");
        }
        return entry.factory().apply(new Params(type, params.withFallback(defaults(type))));
    }

    private Entry<T> entry(String type) {
        Entry<T> entry = type == null ? null : entries.get(type);
        if (entry == null) {
            throw new IllegalArgumentException(
                    "unknown " + kind + " '" + type + "' (known: " + String.join(", ", types()) + ")");
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

    /** Typed access to one entry's merged parameters; a wrong type names the parameter. */
    public record Params(String type, Config config) {
        public double get(String key) {
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
