package io.distillery.shards;

import java.util.List;

/** The shards of a dataset, and the class names of an image folder (empty otherwise). */
public record ShardPlan(List<Shard> shards, List<String> classNames, long estimatedSamples) {
}
