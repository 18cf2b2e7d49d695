/**
 * The teacher pass: the driver ({@link io.distillery.extract.ExtractJob}) plans shards and the dataset; each task
 * ({@link io.distillery.extract.ShardExtractor}) decodes, renders views, runs the per-JVM teacher
 * ({@link io.distillery.spark.ExecutorModelCache}) and commits its shard exactly once
 * ({@link io.distillery.extract.ShardCommitter}). With {@code input.modality = text} the task is a
 * {@code TextShardExtractor} instead: texts are tokenized and run through the executor's BERT teacher
 * ({@code TextTeacher}), and the rows hold token ids, the attention mask and per-token targets
 * ({@link io.distillery.targets.TextTargets}); listing, commits, resume, rejects and the dataset status are shared.
 */
package io.distillery.extract;
