package io.distillery.shards;

import java.io.Serializable;

/** Where the images are and how to cut them into shards. */
public record InputOptions(ShardFormat format, String path, int filesPerShard, int rowGroupsPerSplit, String imageColumn,
                           String keyColumn, String captionColumn, String labelColumn) implements Serializable {
    public InputOptions {
        if (filesPerShard < 1 || rowGroupsPerSplit < 1) {
            throw new IllegalArgumentException("files-per-shard and row-groups-per-split must be >= 1, got "
                    + filesPerShard + ", " + rowGroupsPerSplit);
        }
    }
}
