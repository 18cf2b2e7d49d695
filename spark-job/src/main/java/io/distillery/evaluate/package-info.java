/**
 * {@code distillery evaluate}: frozen-feature kNN and linear-probe accuracy of any set of encoders on a labelled
 * image dataset (features computed on the executors), target MSE / cosine of distilled students against cached
 * teacher targets, and a Markdown + JSON report with PNG plots.
 */
package io.distillery.evaluate;
