package io.distillery.train;

import io.distillery.metrics.LossCurve;
import io.distillery.metrics.MetricsFile;
import io.distillery.model.layers.MaskedTokenSelect;
import io.distillery.objective.GraphLosses;
import io.distillery.report.MetricsRecord;
import io.distillery.spark.FileDigests;
import io.distillery.spark.ForklessLocalFileSystem;
import io.distillery.spark.QualifiedPaths;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What train and finetune share: the run directory (checkpoints, metrics, run.json), fresh start vs {@code --resume},
 * the epoch loop over the engine until the iteration budget (telling the losses the epoch), the final checkpoint and the
 * loss curve. A resumed run trains with the losses configured now, not those saved in its checkpoint.
 */
final class TrainingLoop {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

    /**
     * The result of a session: the final network and where the run stands.
     *
     * @param run the run's run.json, still marked running: the job completes it once its outputs are written
     */
    record Outcome(
            ComputationGraph network,
            TrainingState end,
            int startIteration,
            double firstLoss,
            List<MetricsRecord> metrics,
            FileSystem fs,
            Path runDir,
            RunFile run) {}

    private TrainingLoop() {}

    /** Takes the run dir's writer lock ({@code <run-dir>/writer.lock}): one train/finetune per run dir at a time. */
    static io.distillery.locks.WriterLock lockRunDir(SparkSession spark, TrainSettings s, String what)
            throws IOException {
        org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path runDir = new Path(QualifiedPaths.of("run-dir", s.runDir(), conf));
        return io.distillery.locks.WriterLock.acquire(new Path(runDir, "writer.lock"), runDir.toString(), what, conf);
    }

    /**
     * @param fresh      a newly built, initialised network (used unless resuming; also checks the checkpoint's shape)
     * @param initialise seeds {@code fresh} with pretrained weights; not called when resuming
     * @param dataId     what the run trains on; a checkpoint made on other data is refused
     * @param data       the same, described for run.json
     * @param examplesPerRow samples the batcher makes of each row (a masked student's clones; else 1)
     */
    static Outcome run(
            SparkSession spark,
            TrainSettings s,
            ComputationGraph fresh,
            Consumer<ComputationGraph> initialise,
            String dataId,
            RunRecord.Data data,
            JavaRDD<MultiDataSet> batches,
            int examplesPerRow,
            boolean resume,
            String what)
            throws IOException {
        Path runDir = new Path(
                QualifiedPaths.of("run-dir", s.runDir(), spark.sparkContext().hadoopConfiguration()));
        FileSystem fs = runDir.getFileSystem(spark.sparkContext().hadoopConfiguration());
        CheckpointStore checkpoints = new CheckpointStore(fs, runDir, s.checkpointKeep());
        Optional<CheckpointStore.Checkpoint> latest = checkpoints.newest();
        if (latest.isPresent() && !resume) {
            throw new IllegalArgumentException(runDir + " already holds checkpoints (newest: iteration "
                    + latest.get().state().iteration()
                    + "); pass --resume to continue that run or choose another run-dir");
        }
        ComputationGraph network;
        TrainingState start;
        if (latest.isPresent()) {
            CheckpointStore.Checkpoint from = latest.get();
            network = checkpoints.load(from);
            start = from.state();
            checkSameRun(from, network, fresh, dataId);
            s.optimization().applySchedule(network);
            GraphLosses.copy(fresh, network);
            LOG.info("resuming {} from iteration {} (epoch {})", runDir, start.iteration(), start.epoch());
        } else {
            if (resume) {
                LOG.warn("--resume: {} has no checkpoint yet; starting a fresh run", runDir);
            }
            network = fresh;
            initialise.accept(network);
            start = new TrainingState(0, 0, 0, 0, Double.NaN, dataId, 0);
        }
        MetricsFile metrics = new MetricsFile(fs, new Path(runDir, MetricsFile.NAME));
        int startIteration = start.iteration();
        metrics.load(r -> r.iteration() <= startIteration && latest.isPresent());

        int workers = s.averaging().workers() > 0
                ? s.averaging().workers()
                : spark.sparkContext().defaultParallelism();
        long examplesPerRound = (long) workers
                * s.averaging().batchSizePerWorker()
                * s.averaging().averagingFrequency();
        LOG.info(
                "{} plan: {} workers x batch {} x {} iterations per round, budget {} iterations, run dir {}",
                what,
                workers,
                s.averaging().batchSizePerWorker(),
                s.averaging().averagingFrequency(),
                s.iterations(),
                runDir);
        RoundTracker tracker = new RoundTracker(
                what, s, checkpoints, metrics, s.optimization().schedule(), examplesPerRound, examplesPerRow, start);
        // written only now: a job refused by its checks above has trained nothing and leaves no record
        RunFile run = RunFile.begin(
                fs,
                runDir,
                RunRecord.session(
                        what,
                        s,
                        data,
                        latest.isPresent()
                                ? null
                                : initCheckpoint(s, spark.sparkContext().hadoopConfiguration()),
                        startIteration,
                        spark.version()),
                latest.isPresent());
        try {
            Path scratch = new Path(runDir, "_tmp");
            removeScratch(
                    fs,
                    scratch,
                    "left by an earlier run"); // a killed run's exported batches (MBs each); we hold the lock
            // local run dirs: a filesystem that does not fork a chmod per exported batch (ForklessLocalFileSystem)
            String export = ForklessLocalFileSystem.forLocal(new Path(scratch, "export"));
            try (TrainingEngine engine = new ParameterAveragingEngine(
                    JavaSparkContext.fromSparkContext(spark.sparkContext()),
                    network,
                    s.averaging(),
                    workers,
                    s.optimization().seed() + start.epoch(),
                    export)) {
                spark.sparkContext().setJobGroup("distillery-" + what, what + " " + runDir, false);
                while (engine.network().getConfiguration().getIterationCount() < s.iterations()) {
                    // mdistiller's 1-based epoch, for losses that warm up with it (DKD); broadcast with the config
                    GraphLosses.setEpoch(engine.network(), tracker.state().epoch() + 1.0);
                    engine.fitEpoch(batches, tracker);
                    if (engine.network().getConfiguration().getIterationCount() < s.iterations()) {
                        tracker.epochFinished();
                    }
                }
                network = engine.network();
            } finally {
                spark.sparkContext().clearJobGroup();
            }
            TrainingState end = tracker.state();
            metrics.flush();
            if (tracker.lastCheckpointIteration() != end.iteration()) {
                checkpoints.save(network, end);
            }
            LossCurve.writeToRun(fs, runDir, metrics.records());
            removeScratch(fs, scratch, "no longer needed");
            return new Outcome(network, end, startIteration, tracker.firstLoss(), metrics.records(), fs, runDir, run);
        } catch (Throwable e) { // Throwable: Spark's Scala code throws checked SparkException undeclared
            run.failed(tracker.state().iteration(), e);
            throw e;
        }
    }

    /** The pretrained weights a fresh run starts from, with their digest; null for random initial weights. */
    private static RunRecord.Checkpoint initCheckpoint(TrainSettings s, Configuration conf) throws IOException {
        if (s.initCheckpoint() == null) {
            return null;
        }
        String path = QualifiedPaths.of(s.section() + ".student.init-checkpoint", s.initCheckpoint(), conf);
        return new RunRecord.Checkpoint(path, FileDigests.sha256(path, conf));
    }

    private static void removeScratch(FileSystem fs, Path scratch, String why) throws IOException {
        if (fs.exists(scratch)) {
            LOG.info("removing {} ({})", scratch, why);
            fs.delete(scratch, true);
        }
    }

    /** A checkpoint must belong to this job: same data and the same graph shape. */
    private static void checkSameRun(
            CheckpointStore.Checkpoint from, ComputationGraph restored, ComputationGraph fresh, String dataId) {
        if (!from.state().dataset().equals(dataId)) {
            throw new IllegalArgumentException(
                    from.dir() + " was trained on " + from.state().dataset() + " but this job reads " + dataId
                            + "; use a new run-dir for different data");
        }
        if (restored.numParams() != fresh.numParams()
                || !restored.getConfiguration()
                        .getVertices()
                        .keySet()
                        .equals(fresh.getConfiguration().getVertices().keySet())) {
            throw new IllegalArgumentException(from.dir() + " holds a model with " + restored.numParams()
                    + " parameters but the configured one has " + fresh.numParams()
                    + "; use a new run-dir for a different model");
        }
        // a masked student's token moves have no parameters: a new mask ratio changes their sizes, not the above
        for (String vertex : fresh.getConfiguration().getVertices().keySet()) {
            if (fresh.getConfiguration().getVertices().get(vertex) instanceof LayerVertex lv
                    && lv.getLayerConf().getLayer() instanceof MaskedTokenSelect now) {
                MaskedTokenSelect then = (MaskedTokenSelect)
                        ((LayerVertex) restored.getConfiguration().getVertices().get(vertex))
                                .getLayerConf()
                                .getLayer();
                if (then.getKept() != now.getKept() || then.getNoiseStd() != now.getNoiseStd()) {
                    throw new IllegalArgumentException(from.dir() + " holds a masked student that keeps "
                            + then.getKept() + " of " + then.getPatches() + " patches with mask-noise-std "
                            + then.getNoiseStd() + " but student.mask now keeps " + now.getKept()
                            + " with mask-noise-std " + now.getNoiseStd()
                            + "; use a new run-dir for different mask settings");
                }
            }
        }
    }
}
