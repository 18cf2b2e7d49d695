package io.distillery.shards;

import java.util.Locale;

/** What the samples of an input are: images for a vision teacher, or texts for a BERT teacher. */
public enum Modality {
    IMAGE,
    TEXT;

    /** The name used in configuration and metadata, e.g. {@code text}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the {@code input.modality} setting (case-insensitive). */
    public static Modality fromConfig(String value) {
        for (Modality m : values()) {
            if (value != null && m.id().equals(value.strip().toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("input.modality must be image or text, got '" + value + "'");
    }
}
