package io.distillery.importer;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How {@link WebDatasetImporter} writes an import.
 *
 * @param out        output folder: shards and {@code import.json}
 * @param prefix     shard names {@code PREFIX-000000.tar} and sample keys {@code PREFIX/000123}; letters, digits,
 *                   {@code -} and {@code _}, not starting with {@code _} or {@code -}
 * @param shardSize  samples per shard, at least 1
 * @param limit      import only the first {@code limit} samples; null for all
 * @param classNames names of labels 0, 1, ... recorded in the manifest; empty when unknown
 * @param overwrite  replace an existing complete import in {@code out}
 */
public record ImportOptions(
        Path out, String prefix, int shardSize, Integer limit, List<String> classNames, boolean overwrite) {
    /** Samples per shard unless told otherwise. */
    public static final int DEFAULT_SHARD_SIZE = 1000;
    /** No dots (a webdataset key ends at the first dot) and no leading '_' or '.' (hidden from shard listings). */
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*");

    public ImportOptions {
        Objects.requireNonNull(out, "out cannot be null");
        Objects.requireNonNull(prefix, "prefix cannot be null");
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("--prefix '" + prefix + "' must be letters, digits, '-' and '_' and "
                    + "start with a letter or digit (no dots: a webdataset key ends at the first dot)");
        }
        if (shardSize < 1) {
            throw new IllegalArgumentException("--shard-size " + shardSize + " must be at least 1");
        }
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException("--limit " + limit + " must be at least 1");
        }
        classNames = classNames == null ? List.of() : List.copyOf(classNames);
    }

    /**
     * A prefix from an image file's name when none is given: {@code train-images-idx3-ubyte.gz} gives {@code train},
     * {@code emnist-letters-test-images-idx3-ubyte} gives {@code emnist-letters-test}.
     */
    public static String defaultPrefix(Path images) {
        String name = images.getFileName()
                .toString()
                .replaceFirst("(?i)\\.gz$", "")
                .replaceFirst("(?i)[-._]idx3[-._]ubyte$", "")
                .replaceFirst("(?i)[-._]images?$", "")
                .replaceAll("[^A-Za-z0-9_-]", "-")
                .replaceFirst("^[^A-Za-z0-9]+", "");
        return name.isEmpty() ? "samples" : name;
    }
}
