package io.distillery.train;

import io.distillery.metrics.MetricsFile;
import io.distillery.report.MetricsRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.schedule.ISchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Driver-side bookkeeping after every averaging round: stops on NaN/Inf (before anything is saved), appends the
 * metrics line, checkpoints every N iterations, and ends the run at the iteration budget.
 */
final class RoundTracker implements TrainingEngine.RoundListener {
    private static final Logger LOG = LoggerFactory.getLogger(RoundTracker.class);
    private final String job;
    private final TrainSettings settings;
    private final CheckpointStore checkpoints;
    private final MetricsFile metrics;
    private final ISchedule schedule;
    private final long examplesPerRound;
    private final int examplesPerRow;
    private final double wallAtStart;
    private final long sessionStart = System.nanoTime();
    private long roundStart = System.nanoTime();
    private TrainingState state;
    private int lastCheckpointIteration;
    private double firstLoss = Double.NaN;

    /** @param job the job's name in log lines ({@code train}, {@code finetune}) */
    RoundTracker(
            String job,
            TrainSettings settings,
            CheckpointStore checkpoints,
            MetricsFile metrics,
            ISchedule schedule,
            long examplesPerRound,
            TrainingState start) {
        this(job, settings, checkpoints, metrics, schedule, examplesPerRound, 1, start);
    }

    /**
     * @param examplesPerRound student samples per round (what the batch size counts)
     * @param examplesPerRow   samples each dataset row yields (a masked student's clones; 1 otherwise): when more
     *                         than 1, the metrics and the log also give rows per second
     */
    RoundTracker(
            String job,
            TrainSettings settings,
            CheckpointStore checkpoints,
            MetricsFile metrics,
            ISchedule schedule,
            long examplesPerRound,
            int examplesPerRow,
            TrainingState start) {
        this.job = job;
        this.examplesPerRow = examplesPerRow;
        this.settings = settings;
        this.checkpoints = checkpoints;
        this.metrics = metrics;
        this.schedule = schedule;
        this.examplesPerRound = examplesPerRound;
        this.state = start;
        this.wallAtStart = start.wallSeconds();
        this.lastCheckpointIteration = start.iteration();
    }

    /**
     * @param score DL4J's score: the loss plus the weight-decay term {@code 0.5 * coeff * ||w||^2}; the decay term
     *              is removed so the metrics show the training loss itself. It is evaluated at the averaged
     *              parameters while the workers scored their own, so near a zero loss the difference can dip a
     *              hair below zero: it is floored at 0.
     */
    @Override
    public boolean afterRound(ComputationGraph network, double score) {
        double loss = Double.isFinite(score) ? Math.max(0, score - network.calcRegularizationScore(true)) : score;
        long now = System.nanoTime();
        double roundSeconds = (now - roundStart) / 1e9;
        roundStart = now;
        int iteration = network.getConfiguration().getIterationCount();
        if (!Double.isFinite(loss)
                || BooleanIndexing.or(network.params(), Conditions.isNan())
                || BooleanIndexing.or(network.params(), Conditions.isInfinite())) {
            flushQuietly();
            throw new TrainingDivergedException("training diverged: loss " + loss + " at iteration " + iteration
                    + " (epoch " + state.epoch() + "); " + lastGood() + "; lower optimizer.lr");
        }
        if (Double.isNaN(firstLoss)) {
            firstLoss = loss;
        }
        double wall = wallAtStart + (now - sessionStart) / 1e9;
        state = new TrainingState(
                iteration,
                state.epoch(),
                state.rounds() + 1,
                state.examples() + examplesPerRound,
                loss,
                state.dataset(),
                wall);
        double lr = schedule.valueAt(iteration, state.epoch());
        double samplesPerSecond = examplesPerRound / roundSeconds;
        Double rowsPerSecond = examplesPerRow > 1 ? samplesPerSecond / examplesPerRow : null;
        try {
            metrics.append(
                    new MetricsRecord(iteration, state.epoch(), loss, lr, samplesPerSecond, wall, rowsPerSecond));
            if (iteration / settings.checkpointEvery() > lastCheckpointIteration / settings.checkpointEvery()
                    || iteration >= settings.iterations()) {
                metrics.flush(); // the metrics of every checkpointed round are on disk before the checkpoint
                checkpoints.save(network, state);
                lastCheckpointIteration = iteration;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LOG.info(
                "{} iteration {}/{} epoch {} loss {} lr {} {} images/s{}",
                job,
                iteration,
                settings.iterations(),
                state.epoch(),
                String.format("%.5f", loss),
                String.format("%.3g", lr),
                String.format("%.1f", samplesPerSecond),
                rowsPerSecond == null
                        ? ""
                        : String.format(" (student samples; %.1f rows/s x %d clones)", rowsPerSecond, examplesPerRow));
        return iteration < settings.iterations();
    }

    /** Where a rerun can start from: only a checkpoint that is really on disk is cited. */
    private String lastGood() {
        try {
            var newest = checkpoints.newest();
            if (newest.isPresent()) {
                return "nothing was saved after iteration "
                        + newest.get().state().iteration() + " (last good checkpoint: "
                        + newest.get().dir() + ")";
            }
        } catch (IOException e) {
            LOG.warn("could not list the checkpoints: {}", e.toString());
        }
        return "no checkpoint had been written yet (nothing to resume from)";
    }

    /** The good rounds before a divergence stay in the metrics; a failure to write them must not hide the cause. */
    private void flushQuietly() {
        try {
            metrics.flush();
        } catch (IOException e) {
            LOG.warn("could not write the pending metrics: {}", e.toString());
        }
    }

    void epochFinished() {
        state = new TrainingState(
                state.iteration(),
                state.epoch() + 1,
                state.rounds(),
                state.examples(),
                state.loss(),
                state.dataset(),
                state.wallSeconds());
    }

    TrainingState state() {
        return state;
    }

    double firstLoss() {
        return firstLoss;
    }

    int lastCheckpointIteration() {
        return lastCheckpointIteration;
    }
}
