package io.distillery.report;

import java.nio.file.Path;

/**
 * What a plot drew.
 *
 * @param file    the PNG written
 * @param plotted values drawn
 * @param skipped non-finite values left out
 * @param note    the note shown in the chart title about left-out values; empty when none
 */
public record PlotResult(Path file, int plotted, int skipped, String note) {}
