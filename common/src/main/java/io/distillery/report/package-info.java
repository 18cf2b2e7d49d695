/**
 * Training metrics and evaluation results: the {@link io.distillery.report.MetricsRecord} of a run's
 * {@code metrics.jsonl} (written by the train job), PNG plots (XChart, headless) of the loss curve and of the
 * accuracies, and the {@link io.distillery.report.EvaluationReport} as Markdown, JSON and a console table. Every file
 * written here is written atomically (temporary sibling, then rename).
 */
package io.distillery.report;
