/**
 * Spark and Hadoop plumbing shared by the jobs: sessions, settings that must be the same everywhere, paths qualified
 * on the driver, atomic publishing on any Hadoop filesystem ({@link io.distillery.spark.AtomicHadoopFiles}), and the
 * executor-side model cache ({@link io.distillery.spark.ExecutorModelCache}) that lends every job's teacher or
 * student to its tasks, loaded once per JVM from files on any Hadoop filesystem ({@link io.distillery.spark.ModelFiles}).
 */
package io.distillery.spark;
