/**
 * Training metrics and evaluation results on disk: the append-only JSON-lines {@link io.distillery.report.MetricsLog},
 * PNG plots (XChart, headless) of the loss curve and of the accuracies, and the {@link
 * io.distillery.report.EvaluationReport} as Markdown, JSON and a console table. Every file is written atomically
 * (temporary sibling, then rename), except the metrics log, which only ever appends whole lines.
 */
package io.distillery.report;
