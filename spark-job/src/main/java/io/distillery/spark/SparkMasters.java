package io.distillery.spark;

import java.util.regex.Pattern;

/**
 * Recognises Spark master URLs before a SparkContext is built: a typo such as {@code bogus://x} otherwise surfaces
 * as a long trace from SparkContext's constructor.
 */
public final class SparkMasters {
    private static final Pattern KNOWN = Pattern.compile(
            "local|local\\[(\\*|[1-9]\\d*)(,\\d+)?]|local-cluster\\[\\s*\\d+\\s*,\\s*\\d+\\s*,\\s*\\d+\\s*]"
                    + "|spark://\\S+|yarn|k8s://\\S+|mesos://\\S+");

    private SparkMasters() {}

    /** @throws IllegalArgumentException naming {@code key} when {@code master} is not a master URL */
    public static void check(String key, String master) {
        if (master == null || !KNOWN.matcher(master.trim()).matches()) {
            throw new IllegalArgumentException(key + " '" + master + "' is not a Spark master URL (local, local[N], "
                    + "local[*], local-cluster[N,C,M], spark://host:port, yarn, k8s://..., mesos://...)");
        }
    }
}
