package io.distillery.shards;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Input layouts the extract job reads. */
public enum ShardFormat {
    WEBDATASET("webdataset"),
    IMAGE_FOLDER("image-folder"),
    PARQUET("parquet"),
    /** Plain UTF-8 text files, one example per line ({@link Modality#TEXT} only). */
    TEXT_LINES("text-lines");

    private final String id;

    ShardFormat(String id) {
        this.id = id;
    }

    /** The name used in configuration, e.g. {@code image-folder}. */
    public String id() {
        return id;
    }

    /** Parses the {@code input.format} setting (case-insensitive). */
    public static ShardFormat fromConfig(String value) {
        for (ShardFormat format : values()) {
            if (value != null && format.id.equals(value.strip().toLowerCase(Locale.ROOT))) {
                return format;
            }
        }
        throw new IllegalArgumentException("input.format must be one of "
                + Arrays.stream(values()).map(ShardFormat::id).collect(Collectors.joining(", ")) + ", got '" + value
                + "'");
    }
}
