package io.distillery.shards;

import java.io.Serializable;

/**
 * Where the samples are and how to cut them into shards; the {@code distillery.extract.input} settings.
 *
 * @param filesPerShard     image folders: files per shard
 * @param rowGroupsPerSplit parquet: row groups per shard for files that have more
 * @param imageColumn       parquet: the BINARY column holding the encoded image
 * @param keyColumn         parquet: sample key column; null, or absent from a file, gives keys {@code <file stem>:<row>}
 * @param captionColumn     parquet: caption column; null, or absent from a file, gives no captions
 * @param labelColumn       parquet: INT32/INT64 label column; null for none
 * @param modality          images or texts
 * @param textColumn        parquet with {@link Modality#TEXT}: the string column holding the text
 * @param lineLabels        text-lines: every line is {@code label<TAB>text} instead of the text alone
 */
public record InputOptions(
        ShardFormat format,
        String path,
        int filesPerShard,
        int rowGroupsPerSplit,
        String imageColumn,
        String keyColumn,
        String captionColumn,
        String labelColumn,
        Modality modality,
        String textColumn,
        boolean lineLabels)
        implements Serializable {
    public static final int DEFAULT_FILES_PER_SHARD = 1000;
    public static final int DEFAULT_ROW_GROUPS_PER_SPLIT = 4;

    /** Blank optional column names mean "none", as an empty string is what a config file most easily holds. */
    public InputOptions {
        if (format == null) {
            throw new IllegalArgumentException("input.format must be set");
        }
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("input.path must be set, got '" + path + "'");
        }
        if (filesPerShard < 1) {
            throw new IllegalArgumentException("input.files-per-shard must be >= 1, got " + filesPerShard);
        }
        if (rowGroupsPerSplit < 1) {
            throw new IllegalArgumentException("input.row-groups-per-split must be >= 1, got " + rowGroupsPerSplit);
        }
        if (modality == null) {
            throw new IllegalArgumentException("input.modality must be set");
        }
        if (modality == Modality.TEXT && format == ShardFormat.IMAGE_FOLDER) {
            throw new IllegalArgumentException("input.format image-folder holds images; input.modality = text reads "
                    + "webdataset, parquet or text-lines");
        }
        if (modality == Modality.IMAGE && format == ShardFormat.TEXT_LINES) {
            throw new IllegalArgumentException("input.format text-lines holds texts: set input.modality = text");
        }
        if (modality == Modality.TEXT
                && format == ShardFormat.PARQUET
                && (textColumn == null || textColumn.isBlank())) {
            throw new IllegalArgumentException("input.text-column must name the text column, got '" + textColumn + "'");
        }
        if (modality == Modality.IMAGE
                && format == ShardFormat.PARQUET
                && (imageColumn == null || imageColumn.isBlank())) {
            throw new IllegalArgumentException(
                    "input.image-column must name the image bytes column, got '" + imageColumn + "'");
        }
        keyColumn = noneIfBlank(keyColumn);
        captionColumn = noneIfBlank(captionColumn);
        labelColumn = noneIfBlank(labelColumn);
        textColumn = noneIfBlank(textColumn);
    }

    /** Image input (no text column, no line labels). */
    public InputOptions(
            ShardFormat format,
            String path,
            int filesPerShard,
            int rowGroupsPerSplit,
            String imageColumn,
            String keyColumn,
            String captionColumn,
            String labelColumn) {
        this(
                format,
                path,
                filesPerShard,
                rowGroupsPerSplit,
                imageColumn,
                keyColumn,
                captionColumn,
                labelColumn,
                Modality.IMAGE,
                null,
                false);
    }

    /** Default settings: 1000 files per image-folder shard, 4 row groups per split, img2dataset column names. */
    public static InputOptions of(ShardFormat format, String path) {
        return new InputOptions(
                format, path, DEFAULT_FILES_PER_SHARD, DEFAULT_ROW_GROUPS_PER_SPLIT, "jpg", "key", "caption", null);
    }

    /** Text input with default settings: Parquet text column {@code text}, lines without labels. */
    public static InputOptions text(ShardFormat format, String path) {
        return new InputOptions(
                format,
                path,
                DEFAULT_FILES_PER_SHARD,
                DEFAULT_ROW_GROUPS_PER_SPLIT,
                "jpg",
                "key",
                "caption",
                null,
                Modality.TEXT,
                "text",
                false);
    }

    /** The same options reading from {@code newPath}. */
    public InputOptions withPath(String newPath) {
        return new InputOptions(
                format,
                newPath,
                filesPerShard,
                rowGroupsPerSplit,
                imageColumn,
                keyColumn,
                captionColumn,
                labelColumn,
                modality,
                textColumn,
                lineLabels);
    }

    private static String noneIfBlank(String column) {
        return column == null || column.isBlank() ? null : column;
    }

    /**
     * Labelled image shards from a job section's {@code <key>.format}, {@code <key>.path} and
     * {@code <key>.files-per-shard}; null when the input is optional and has no path.
     */
    public static InputOptions images(io.distillery.config.SectionReader r, String key, boolean required) {
        String path = required ? r.required(key + ".path") : r.optional(key + ".path");
        if (path == null) {
            return null;
        }
        return new InputOptions(
                ShardFormat.fromConfig(r.config().getString(key + ".format")),
                path,
                r.config().getInt(key + ".files-per-shard"),
                DEFAULT_ROW_GROUPS_PER_SPLIT,
                "jpg",
                "key",
                "caption",
                null);
    }
}
