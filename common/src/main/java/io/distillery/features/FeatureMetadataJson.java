package io.distillery.features;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;

/** JSON form of {@link FeatureMetadata}, with the version check every reader applies. */
public final class FeatureMetadataJson {
    public static final String FORMAT = "distillery-features";
    /** The newest layout this build writes and reads. */
    public static final int CURRENT_VERSION = 1;
    /** Namespaced key of the metadata in every Parquet footer. */
    public static final String FOOTER_KEY = "io.distillery.features.metadata";

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private FeatureMetadataJson() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static String toJson(FeatureMetadata metadata) {
        try {
            return MAPPER.writeValueAsString(metadata);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise feature metadata", e);
        }
    }

    /** Parses and checks format and version; {@code source} names the file in errors. */
    public static FeatureMetadata fromJson(String json, String source) {
        try {
            JsonNode node = MAPPER.readTree(json);
            check(node, source);
            return MAPPER.treeToValue(node, FeatureMetadata.class);
        } catch (JsonProcessingException e) {
            throw new FeatureFormatException(
                    source + ": feature metadata is not valid JSON: "
                            + e.getOriginalMessage().lines().findFirst().orElse(""),
                    e);
        }
    }

    /** Rejects other formats and newer versions with a message saying what was found and what this build reads. */
    static void check(JsonNode node, String source) {
        if (node == null
                || !node.isObject()
                || !FORMAT.equals(node.path("format").asText())) {
            throw new FeatureFormatException(source + ": not a Distillery feature dataset (format is '"
                    + (node == null ? "" : node.path("format").asText()) + "', expected '" + FORMAT + "')");
        }
        int version = node.path("format_version").asInt(-1);
        if (version < 1) {
            throw new FeatureFormatException(source + ": feature metadata has no valid format_version");
        }
        if (version > CURRENT_VERSION) {
            throw new FeatureFormatException(source + ": found feature format version " + version
                    + ", this build reads up to " + CURRENT_VERSION + "; upgrade Distillery to read it");
        }
    }
}
