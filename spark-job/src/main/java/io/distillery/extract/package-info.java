/**
 * The teacher pass: the driver ({@link io.distillery.extract.ExtractJob}) plans shards and the dataset; each task
 * ({@link io.distillery.extract.ShardExtractor}) decodes, renders views, runs the per-JVM teacher
 * ({@link io.distillery.spark.ExecutorModelCache}) and commits its shard exactly once
 * ({@link io.distillery.extract.ShardCommitter}).
 */
package io.distillery.extract;
