package io.distillery.report;

/**
 * One line of the training metrics log. Rates and times may be NaN when not measured; the loss may be non-finite
 * (a diverging run is exactly what the log must show).
 *
 * @param iteration          optimiser steps done, from 0 at the start of training (not of this process)
 * @param epoch              epoch the step belongs to, from 0
 * @param loss               training loss of the step (or averaged since the previous record)
 * @param learningRate       learning rate used for the step
 * @param imagesPerSecond    throughput since the previous record
 * @param wallTimeSeconds    seconds since the run started (resumed runs continue their predecessor's clock)
 */
public record MetricsRecord(long iteration, int epoch, double loss, double learningRate, double imagesPerSecond,
                            double wallTimeSeconds) {

    public MetricsRecord {
        if (iteration < 0) {
            throw new IllegalArgumentException("metrics iteration must be >= 0 but was " + iteration);
        }
        if (epoch < 0) {
            throw new IllegalArgumentException("metrics epoch must be >= 0 but was " + epoch);
        }
    }
}
