package io.distillery.config;

import com.typesafe.config.Config;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Reads the values of one job section (e.g. {@code distillery.extract}); every error names the full key. */
public final class SectionReader {
    private final Config config;
    private final String section;

    /** @param config the section itself (keys relative to it); {@code section} its full name, for messages */
    public SectionReader(Config config, String section) {
        this.config = config;
        this.section = section;
    }

    public Config config() {
        return config;
    }

    /** The full name of {@code key}, as messages show it. */
    public String name(String key) {
        return section + "." + key;
    }

    /** A string that has no default (null in reference.conf) and must be set. */
    public String required(String key) {
        if (!config.hasPath(key)) {
            throw new IllegalArgumentException(name(key) + " is required");
        }
        return config.getString(key);
    }

    /** A string that may stay unset (null). */
    public String optional(String key) {
        return config.hasPath(key) ? config.getString(key) : null;
    }

    /** An enum constant named case-insensitively. */
    public <E extends Enum<E>> E enumOf(Class<E> type, String key) {
        String value = config.getString(key);
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    name(key) + " '" + value + "' is not one of "
                            + Arrays.stream(type.getEnumConstants())
                                    .map(x -> x.name().toLowerCase(Locale.ROOT))
                                    .toList(),
                    e);
        }
    }

    /** {@code [min, max]} with {@code 0 < min <= max}. */
    public double[] range(String key) {
        List<Double> values = config.getDoubleList(key);
        if (values.size() != 2 || values.get(0) > values.get(1) || values.get(0) <= 0) {
            throw new IllegalArgumentException(name(key) + " must be [min, max] with 0 < min <= max, got " + values);
        }
        return new double[] {values.get(0), values.get(1)};
    }

    /** A count of at least 1, or {@code all} (returned as 0). */
    public int countOrAll(String key) {
        String value = config.getString(key);
        if (value.equalsIgnoreCase("all")) {
            return 0;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name(key) + " must be 'all' or >= 1, got '" + value + "'");
    }
}
