/**
 * Writing local files so that readers never see a partial one ({@link io.distillery.files.AtomicFiles}). Files on
 * Hadoop filesystems have their own helper in the Spark job, {@code io.distillery.spark.AtomicHadoopFiles}.
 */
package io.distillery.files;
