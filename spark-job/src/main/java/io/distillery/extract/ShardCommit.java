package io.distillery.extract;

/**
 * The record that makes a shard's output complete: written (atomically) after its data and rejects files were
 * moved into place. A shard is done only when its record exists and the row counts in the record match the
 * files' footers.
 *
 * @param shard     shard id
 * @param images    images read from the shard
 * @param rows      rows in {@code data/<shard>.parquet} (images kept x views)
 * @param rejects   rows in {@code rejects/<shard>.parquet}
 * @param dataBytes size of the data file
 * @param seconds   wall time of the task that produced it
 * @param keyDigests the {@link KeyDigests} of the keys in the data file (null in records written before they
 *                   existed: the driver then reads the keys from the data file)
 */
public record ShardCommit(
        String shard, long images, long rows, long rejects, long dataBytes, double seconds, String keyDigests) {}
