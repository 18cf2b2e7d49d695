package io.distillery.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/** Typed access to a JSON config object; every error names the file and the key. */
final class ConfigReader {
    private final Path path;
    private final JsonNode root;

    ConfigReader(Path path, JsonNode root) {
        this.path = path;
        this.root = root;
    }

    int requiredInt(String key) {
        if (!root.hasNonNull(key)) {
            throw new IllegalArgumentException(path + ": missing required key '" + key + "'");
        }
        return toInt(key, root.get(key));
    }

    int optionalInt(String key, int fallback) {
        return root.hasNonNull(key) ? toInt(key, root.get(key)) : fallback;
    }

    double optionalDouble(String key, double fallback) {
        if (!root.hasNonNull(key)) {
            return fallback;
        }
        JsonNode node = root.get(key);
        if (!node.isNumber()) {
            throw new IllegalArgumentException(path + ": key '" + key + "' must be a number, got " + node);
        }
        return node.asDouble();
    }

    boolean optionalBoolean(String key, boolean fallback) {
        if (!root.hasNonNull(key)) {
            return fallback;
        }
        JsonNode node = root.get(key);
        if (!node.isBoolean()) {
            throw new IllegalArgumentException(path + ": key '" + key + "' must be true or false, got " + node);
        }
        return node.asBoolean();
    }

    double[] optionalVector(String key, double[] fallback) {
        if (!root.hasNonNull(key)) {
            return fallback;
        }
        JsonNode node = root.get(key);
        if (!node.isArray()) {
            throw new IllegalArgumentException(path + ": key '" + key + "' must be an array of numbers, got " + node);
        }
        double[] values = new double[node.size()];
        for (int i = 0; i < values.length; i++) {
            if (!node.get(i).isNumber()) {
                throw new IllegalArgumentException(
                        path + ": key '" + key + "' must be an array of numbers, got " + node);
            }
            values[i] = node.get(i).asDouble();
        }
        return values;
    }

    private int toInt(String key, JsonNode node) {
        if (!node.canConvertToInt() || !(node.isIntegralNumber() || node.asDouble() == Math.rint(node.asDouble()))) {
            throw new IllegalArgumentException(path + ": key '" + key + "' must be an integer, got " + node);
        }
        return node.asInt();
    }
}
