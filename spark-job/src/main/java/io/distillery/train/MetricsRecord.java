package io.distillery.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One line of {@code metrics.jsonl}, one per averaging round; the JSON names are the file's format.
 *
 * @param iteration      DL4J iteration counter after the round
 * @param epoch          the pass over the dataset the round belongs to (0-based)
 * @param loss           mean loss reported by the workers for the round
 * @param learningRate   scheduled learning rate at {@code iteration}
 * @param imagesPerSecond examples of the round / wall time of the round
 * @param wallSeconds    training time since the run started (all sessions)
 */
public record MetricsRecord(@JsonProperty("iteration") int iteration, @JsonProperty("epoch") int epoch,
                            @JsonProperty("loss") double loss, @JsonProperty("learning_rate") double learningRate,
                            @JsonProperty("images_per_second") double imagesPerSecond,
                            @JsonProperty("wall_seconds") double wallSeconds) {

    /** The same round as a point of the report's loss plots. */
    public io.distillery.report.MetricsRecord toPlotPoint() {
        return new io.distillery.report.MetricsRecord(iteration, epoch, loss, learningRate, imagesPerSecond, wallSeconds);
    }
}
