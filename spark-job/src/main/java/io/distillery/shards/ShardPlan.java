package io.distillery.shards;

import java.util.List;

/**
 * What {@link ShardLister} found.
 *
 * @param shards           sorted by id
 * @param classNames       image folders: the sorted class folder names (label = index); empty otherwise
 * @param estimatedSamples sum of the shards' estimates
 */
public record ShardPlan(List<Shard> shards, List<String> classNames, long estimatedSamples) {
    public ShardPlan {
        shards = List.copyOf(shards);
        classNames = List.copyOf(classNames);
    }
}
