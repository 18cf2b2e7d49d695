/**
 * Evaluation of frozen features: cosine kNN ({@link io.distillery.eval.KnnClassifier}), a softmax linear probe
 * ({@link io.distillery.eval.LinearProbe}), accuracy and confusion counts, and how close predicted tokens come to
 * the teacher's targets ({@link io.distillery.eval.TargetSimilarity}), and for image-text (CLIP-style) embeddings
 * zero-shot classification from prompt templates ({@link io.distillery.eval.ZeroShotClassifier},
 * {@link io.distillery.eval.PromptTemplates}) and image-text retrieval recall ({@link
 * io.distillery.eval.ImageTextRetrieval}). Plain library code: no Spark, no I/O.
 */
package io.distillery.eval;
