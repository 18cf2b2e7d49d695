package io.distillery.train;

import io.distillery.dataset.FeatureDataset;
import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureMetadata;
import io.distillery.features.TensorDType;
import io.distillery.model.ModelConfig;
import io.distillery.student.StudentGraph;
import io.distillery.targets.TargetRecipe;
import io.distillery.targets.TargetTensor;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code distillery train}: the student regresses the cached teacher targets of a feature dataset on Spark. Reads
 * and checks the dataset's metadata first, then trains with parameter averaging until the iteration budget,
 * checkpointing and logging metrics per round, and exports the student.
 */
public final class TrainJob {
    private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

    private TrainJob() {
    }

    public static TrainSummary run(SparkSession spark, TrainSettings s, boolean resume) throws IOException {
        FeatureDataset dataset = FeatureDataset.open(spark, s.dataset(), false);
        FeatureMetadata md = dataset.metadata();
        ModelConfig student = StudentFactory.config(s);
        long[] target = DatasetCompatibility.check(s.dataset(), md, student, s.tokens());
        int topK = s.topK() == 0 ? student.depth() : s.topK();
        TargetRecipe recipe = new TargetRecipe(TargetTensor.valueOf(md.target().tensor().toUpperCase(Locale.ROOT)),
                s.tokens(), topK, md.target().eps());

        Path runDir = new Path(s.runDir());
        FileSystem fs = runDir.getFileSystem(spark.sparkContext().hadoopConfiguration());
        CheckpointStore checkpoints = new CheckpointStore(fs, runDir, s.checkpointKeep());
        Optional<CheckpointStore.Checkpoint> latest = checkpoints.newest();
        if (latest.isPresent() && !resume) {
            throw new IllegalArgumentException(runDir + " already holds checkpoints (newest: iteration "
                    + latest.get().state().iteration() + "); pass --resume to continue that run or choose another run-dir");
        }
        ComputationGraph fresh = StudentGraph.create(student, recipe, (int) target[1], s.optimization(), DataType.FLOAT);
        ComputationGraph network;
        TrainingState start;
        if (latest.isPresent()) {
            CheckpointStore.Checkpoint from = latest.get();
            network = checkpoints.load(from);
            start = from.state();
            checkSameRun(from, network, fresh, s);
            s.optimization().applySchedule(network);
            LOG.info("resuming {} from iteration {} (epoch {})", runDir, start.iteration(), start.epoch());
        } else {
            if (resume) {
                LOG.warn("--resume: {} has no checkpoint yet; starting a fresh run", runDir);
            }
            network = fresh;
            StudentFactory.initialise(s, student, network);
            start = new TrainingState(0, 0, 0, 0, Double.NaN, s.dataset(), 0);
        }
        MetricsFile metrics = new MetricsFile(fs, new Path(runDir, "metrics.jsonl"));
        int startIteration = start.iteration();
        metrics.load(r -> r.iteration() <= startIteration && latest.isPresent());

        long rows = dataset.rows().count();
        if (rows == 0) {
            throw new IllegalArgumentException(s.dataset() + ": the feature dataset has no rows to train on");
        }
        BatchSpec spec = new BatchSpec(student.imgSize(), student.imageMean(), student.imageStd(), FeatureColumns.TARGET,
                TensorDType.fromId(md.target().dtype()), (int) (target[0] * target[1]),
                s.averaging().batchSizePerWorker());
        JavaRDD<MultiDataSet> batches = dataset.rows()
                .select(FeatureColumns.KEY, FeatureColumns.VIEW, FeatureColumns.PIXELS, FeatureColumns.TARGET)
                .javaRDD().mapPartitions(new RowBatcher(spec));
        int workers = s.averaging().workers() > 0 ? s.averaging().workers() : spark.sparkContext().defaultParallelism();
        long examplesPerRound = (long) workers * s.averaging().batchSizePerWorker() * s.averaging().averagingFrequency();
        LOG.info("train plan: {} rows of {}, student {}, target {} x {} ({} top-{}), {} workers x batch {} x {} "
                        + "iterations per round, budget {} iterations, run dir {}", rows, s.dataset(), student, target[0],
                target[1], recipe.tensor(), topK, workers, s.averaging().batchSizePerWorker(),
                s.averaging().averagingFrequency(), s.iterations(), runDir);

        RoundTracker tracker = new RoundTracker(s, checkpoints, metrics, s.optimization().schedule(),
                examplesPerRound, start);
        String export = new Path(runDir, "_tmp/export").toString();
        try (TrainingEngine engine = new ParameterAveragingEngine(JavaSparkContext.fromSparkContext(spark.sparkContext()),
                network, s.averaging(), workers, s.optimization().seed() + start.epoch(), export)) {
            spark.sparkContext().setJobGroup("distillery-train", "train " + runDir, false);
            while (engine.network().getConfiguration().getIterationCount() < s.iterations()) {
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
        if (tracker.lastCheckpointIteration() != end.iteration()) {
            checkpoints.save(network, end);
        }
        Path studentDir = RunOutputs.write(fs, runDir, network, student, Map.of(
                "distillery.dataset", s.dataset(), "distillery.iterations", String.valueOf(end.iteration()),
                "distillery.target", md.target().tensor() + " top-" + topK + " " + s.tokens()));
        LossCurve.writeIfPossible(fs, runDir, metrics.records());
        TrainSummary summary = new TrainSummary(startIteration, end.iteration(), end.epoch(), end.rounds(),
                tracker.firstLoss(), end.loss(), end.wallSeconds(), studentDir.toString());
        LOG.info("train summary: {}", summary);
        return summary;
    }

    /** A checkpoint must belong to this job: same dataset and the same graph shape. */
    private static void checkSameRun(CheckpointStore.Checkpoint from, ComputationGraph restored, ComputationGraph fresh,
                                     TrainSettings s) {
        if (!from.state().dataset().equals(s.dataset())) {
            throw new IllegalArgumentException(from.dir() + " was trained on " + from.state().dataset()
                    + " but dataset is " + s.dataset() + "; use a new run-dir for a different dataset");
        }
        if (restored.numParams() != fresh.numParams()
                || !restored.getConfiguration().getVertices().keySet().equals(fresh.getConfiguration().getVertices().keySet())) {
            throw new IllegalArgumentException(from.dir() + " holds a model with " + restored.numParams()
                    + " parameters but the configured student has " + fresh.numParams()
                    + "; use a new run-dir for a different student");
        }
    }
}
