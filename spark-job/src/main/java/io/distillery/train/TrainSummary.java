package io.distillery.train;

/**
 * What a train run did.
 *
 * @param resumedFromIteration the checkpoint iteration this session started from (0 = fresh run)
 * @param firstLoss            loss of the first round of this session (NaN when no round ran)
 * @param studentDir           the exported student
 */
public record TrainSummary(
        int resumedFromIteration,
        int iteration,
        int epochs,
        long rounds,
        double firstLoss,
        double finalLoss,
        double wallSeconds,
        String studentDir) {

    /** The summary of a finished {@link TrainingLoop} run whose student was exported to {@code studentDir}. */
    static TrainSummary of(TrainingLoop.Outcome outcome, org.apache.hadoop.fs.Path studentDir) {
        TrainingState end = outcome.end();
        return new TrainSummary(
                outcome.startIteration(),
                end.iteration(),
                end.epoch(),
                end.rounds(),
                outcome.firstLoss(),
                end.loss(),
                end.wallSeconds(),
                studentDir.toString());
    }
}
