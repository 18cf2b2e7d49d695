package io.distillery.shards;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One unit of work (one Spark task): a tar, a chunk of an image folder, or a run of row groups of a Parquet file.
 *
 * @param id               unique within the dataset, only {@code [A-Za-z0-9._-]}: the output file stem
 * @param uri              the file; for image folders the root folder
 * @param bytes            bytes the shard reads: file size, image folders the chunk's files, Parquet the compressed
 *                         size of its row groups
 * @param estimatedSamples exact for image folders and Parquet, estimated for tars
 * @param splitIndex       which split of its file this is ({@code 0} unless a Parquet file is split)
 * @param splitCount       how many splits its file has ({@code 1} unless a Parquet file is split)
 * @param members          image folders: the chunk's file paths relative to {@code uri}, sorted; Parquet: the row
 *                         groups {@code [first, end)} as two decimal strings (use {@link #firstRowGroup()} and
 *                         {@link #endRowGroup()}); tars: empty
 */
public record Shard(
        String id,
        String uri,
        ShardFormat format,
        long bytes,
        long estimatedSamples,
        int splitIndex,
        int splitCount,
        List<String> members)
        implements Serializable {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]+");

    public Shard {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(format, "format");
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("shard id must match " + ID + ", got '" + id + "'");
        }
        if (splitCount < 1 || splitIndex < 0 || splitIndex >= splitCount) {
            throw new IllegalArgumentException("shard " + id + ": split " + splitIndex + " of " + splitCount);
        }
        members = List.copyOf(members);
        if (format == ShardFormat.PARQUET && members.size() != 2) {
            throw new IllegalArgumentException(
                    "shard " + id + ": Parquet members must be [first, end) row groups, got " + members);
        }
    }

    /** A Parquet shard reading row groups {@code [firstRowGroup, endRowGroup)} of its file. */
    public static Shard parquet(
            String id,
            String uri,
            long bytes,
            long rows,
            int splitIndex,
            int splitCount,
            int firstRowGroup,
            int endRowGroup) {
        if (firstRowGroup < 0 || endRowGroup < firstRowGroup) {
            throw new IllegalArgumentException(
                    "shard " + id + ": bad row-group range [" + firstRowGroup + ", " + endRowGroup + ")");
        }
        return new Shard(
                id,
                uri,
                ShardFormat.PARQUET,
                bytes,
                rows,
                splitIndex,
                splitCount,
                List.of(Integer.toString(firstRowGroup), Integer.toString(endRowGroup)));
    }

    /** Parquet: the first row group read. */
    public int firstRowGroup() {
        return rowGroupBound(0);
    }

    /** Parquet: one past the last row group read. */
    public int endRowGroup() {
        return rowGroupBound(1);
    }

    private int rowGroupBound(int index) {
        if (format != ShardFormat.PARQUET) {
            throw new IllegalStateException("shard " + id + " is " + format.id() + ", not parquet");
        }
        return Integer.parseInt(members.get(index));
    }
}
