package io.distillery.importer;

/**
 * One finished shard, as listed in the import manifest.
 *
 * @param name     file name, e.g. {@code fashion-mnist-train-000000.tar}
 * @param samples  samples in it
 * @param bytes    file size
 * @param sha256   SHA-256 of the file
 * @param firstKey key of its first sample
 * @param lastKey  key of its last sample
 */
public record ShardInfo(String name, int samples, long bytes, String sha256, String firstKey, String lastKey) {}
