package io.distillery.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One line of a training run's {@code metrics.jsonl}, one per averaging round; the JSON names are the file's format.
 * Every field but {@code rows_per_second} is required when a line is read. Jackson writes a non-finite number as the string {@code "NaN"}, {@code "Infinity"} or {@code "-Infinity"} (JSON has
 * no literal for them) and reads those strings back.
 *
 * @param iteration       DL4J iteration counter after the round (from 0 at the start of the run, not of a session)
 * @param epoch           the pass over the dataset the round belongs to (0-based)
 * @param loss            mean loss reported by the workers for the round
 * @param learningRate    scheduled learning rate at {@code iteration}
 * @param imagesPerSecond examples of the round / wall time of the round: student samples, which a masked student
 *                        makes {@code clones} of per dataset row
 * @param wallSeconds     training time since the run started (a resumed run continues its predecessor's clock)
 * @param rowsPerSecond   dataset rows of the round / wall time of the round; only written when a row yields several
 *                        samples (a masked student's clones), null otherwise (and absent from the line)
 */
public record MetricsRecord(
        @JsonProperty(value = "iteration", required = true) int iteration,
        @JsonProperty(value = "epoch", required = true) int epoch,
        @JsonProperty(value = "loss", required = true) double loss,

        @JsonProperty(value = "learning_rate", required = true)
        double learningRate,

        @JsonProperty(value = "images_per_second", required = true)
        double imagesPerSecond,

        @JsonProperty(value = "wall_seconds", required = true)
        double wallSeconds,

        @JsonProperty("rows_per_second") @JsonInclude(JsonInclude.Include.NON_NULL)
        Double rowsPerSecond) {

    /** A round in which every dataset row was one sample. */
    public MetricsRecord(
            int iteration, int epoch, double loss, double learningRate, double imagesPerSecond, double wallSeconds) {
        this(iteration, epoch, loss, learningRate, imagesPerSecond, wallSeconds, null);
    }

    public MetricsRecord {
        if (iteration < 0) {
            throw new IllegalArgumentException("metrics iteration must be >= 0 but was " + iteration);
        }
        if (epoch < 0) {
            throw new IllegalArgumentException("metrics epoch must be >= 0 but was " + epoch);
        }
    }
}
