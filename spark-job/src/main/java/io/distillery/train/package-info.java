/**
 * {@code distillery train} and {@code finetune}: the student learns from a feature dataset on Spark with dl4j-spark
 * parameter averaging, never calling the teacher. The distributed engine sits behind {@link
 * io.distillery.train.TrainingEngine} (dl4j-spark 1.0.0-M2 is its last release); everything else — the configured
 * losses ({@link io.distillery.train.LossSettings}) resolved against the dataset, metadata checks, row-to-batch
 * conversion on executors (one labels array per graph output, from {@link io.distillery.train.LabelSource}s), checkpoints and resume, metrics, {@code run.json} (how the run was made) and
 * the export with its provenance metadata — is engine-independent.
 */
package io.distillery.train;
