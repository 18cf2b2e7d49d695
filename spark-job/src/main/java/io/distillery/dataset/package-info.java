/**
 * Feature datasets and labelled images as Spark sees them: where a feature dataset's files live
 * ({@link io.distillery.dataset.DatasetLayout}, shared by the extract job that writes it and every reader), opening
 * one with the version and completeness checks every consumer needs ({@link io.distillery.dataset.FeatureDataset}),
 * and labelled image shards as rows of the same columns ({@link io.distillery.dataset.LabelledImages}). The format
 * itself (columns, metadata, {@code dataset.json}) is in {@code io.distillery.features}.
 */
package io.distillery.dataset;
