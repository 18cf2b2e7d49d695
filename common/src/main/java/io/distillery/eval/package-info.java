/**
 * Evaluation of frozen features: cosine kNN ({@link io.distillery.eval.KnnClassifier}), a softmax linear probe
 * ({@link io.distillery.eval.LinearProbe}), accuracy and confusion counts, and how close predicted tokens come to
 * the teacher's targets ({@link io.distillery.eval.TargetSimilarity}). Plain library code: no Spark, no I/O.
 */
package io.distillery.eval;
