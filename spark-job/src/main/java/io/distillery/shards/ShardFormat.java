package io.distillery.shards;

import java.util.Locale;

/** Input layouts the extract job reads. */
public enum ShardFormat {
    WEBDATASET("webdataset"), IMAGE_FOLDER("image-folder"), PARQUET("parquet");

    private final String id;

    ShardFormat(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static ShardFormat fromConfig(String value) {
        for (ShardFormat f : values()) {
            if (f.id.equals(value.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new IllegalArgumentException("input.format '" + value + "' is not one of webdataset, image-folder, parquet");
    }
}
