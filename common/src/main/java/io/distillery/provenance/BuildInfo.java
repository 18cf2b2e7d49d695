package io.distillery.provenance;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** Versions this build was made with, recorded in every output for provenance. */
public final class BuildInfo {
    private static final Properties PROPS = load();

    private BuildInfo() {}

    private static Properties load() {
        Properties props = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("/io/distillery/build.properties")) {
            if (in != null) {
                props.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return props;
    }

    public static String version() {
        return PROPS.getProperty("distillery.version", "unknown");
    }

    /** Distillery, DL4J, Spark (as built against), Java and OS versions. */
    public static Map<String, String> versions() {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("distillery", version());
        v.put("dl4j", PROPS.getProperty("dl4j.version", "unknown"));
        v.put("spark", PROPS.getProperty("spark.version", "unknown"));
        v.put("java", System.getProperty("java.version"));
        v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        return v;
    }
}
