/**
 * A training run's metrics on any Hadoop filesystem: {@code metrics.jsonl} (one {@link
 * io.distillery.report.MetricsRecord} per averaging round), written by train and finetune and read by evaluate, and
 * the loss curve drawn from it. The record and the plot itself live in {@code common}'s {@code report} package.
 */
package io.distillery.metrics;
