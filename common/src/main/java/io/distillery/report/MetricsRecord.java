package io.distillery.report;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One line of a training run's {@code metrics.jsonl}, one per averaging round; the JSON names are the file's format.
 * Jackson writes a non-finite number as the string {@code "NaN"}, {@code "Infinity"} or {@code "-Infinity"} (JSON has
 * no literal for them) and reads those strings back.
 *
 * @param iteration       DL4J iteration counter after the round (from 0 at the start of the run, not of a session)
 * @param epoch           the pass over the dataset the round belongs to (0-based)
 * @param loss            mean loss reported by the workers for the round
 * @param learningRate    scheduled learning rate at {@code iteration}
 * @param imagesPerSecond examples of the round / wall time of the round
 * @param wallSeconds     training time since the run started (a resumed run continues its predecessor's clock)
 */
public record MetricsRecord(
        @JsonProperty("iteration") int iteration,
        @JsonProperty("epoch") int epoch,
        @JsonProperty("loss") double loss,
        @JsonProperty("learning_rate") double learningRate,
        @JsonProperty("images_per_second") double imagesPerSecond,
        @JsonProperty("wall_seconds") double wallSeconds) {

    public MetricsRecord {
        if (iteration < 0) {
            throw new IllegalArgumentException("metrics iteration must be >= 0 but was " + iteration);
        }
        if (epoch < 0) {
            throw new IllegalArgumentException("metrics epoch must be >= 0 but was " + epoch);
        }
    }
}
