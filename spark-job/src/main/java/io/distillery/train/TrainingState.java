package io.distillery.train;

/**
 * Where a run stands, saved beside every checkpoint's model.
 *
 * @param iteration   DL4J's iteration counter (per worker; parameter averaging advances it by the averaging
 *                    frequency per round)
 * @param epoch       passes over the dataset completed
 * @param rounds      averaging rounds completed in the whole run
 * @param examples    training examples consumed in the whole run (student samples: rows x clones when masked)
 * @param loss        the loss of the last round
 * @param dataset     the feature dataset trained on
 * @param wallSeconds training time so far, summed over resumed sessions
 */
public record TrainingState(
        int iteration, int epoch, long rounds, long examples, double loss, String dataset, double wallSeconds) {}
