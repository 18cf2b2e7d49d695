package io.distillery.shards;

import java.io.Serializable;
import java.util.List;

/**
 * One unit of work: a tar, a Parquet row-group range, or a chunk of an image folder.
 *
 * @param members image folders: relative file paths; Parquet: {@code [firstRowGroup, endRowGroup)} as two strings
 */
public record Shard(String id, String uri, ShardFormat format, long bytes, long estimatedSamples, int splitIndex,
                    int splitCount, List<String> members) implements Serializable {
    public Shard {
        members = List.copyOf(members);
    }
}
