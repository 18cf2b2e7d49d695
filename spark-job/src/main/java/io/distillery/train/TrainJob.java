package io.distillery.train;

import io.distillery.dataset.FeatureDataset;
import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureMetadata;
import io.distillery.features.TensorDType;
import io.distillery.model.ModelConfig;
import io.distillery.spark.QualifiedPaths;
import io.distillery.student.StudentGraph;
import io.distillery.targets.TargetRecipe;
import io.distillery.targets.TargetTensor;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
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

    private TrainJob() {}

    public static TrainSummary run(SparkSession spark, TrainSettings s, boolean resume) throws IOException {
        if (s.dataset() == null) {
            throw new IllegalArgumentException(
                    s.section() + ".dataset is required (a feature dataset written by extract)");
        }
        try (var lock = TrainingLoop.lockRunDir(spark, s, "train")) {
            return runLocked(spark, s, resume);
        }
    }

    private static TrainSummary runLocked(SparkSession spark, TrainSettings s, boolean resume) throws IOException {
        FeatureDataset dataset = FeatureDataset.open(spark, s.dataset(), false);
        FeatureMetadata md = dataset.metadata();
        ModelConfig student = StudentFactory.config(s, spark.sparkContext().hadoopConfiguration());
        long[] target = DatasetCompatibility.check(s.dataset(), md, student, s.tokens());
        int topK = s.topK() == 0 ? student.depth() : s.topK();
        TargetRecipe recipe = new TargetRecipe(
                TargetTensor.valueOf(md.target().tensor().toUpperCase(Locale.ROOT)),
                s.tokens(),
                topK,
                md.target().eps());

        long rows = dataset.rows().count();
        if (rows == 0) {
            throw new IllegalArgumentException(s.dataset() + ": the feature dataset has no rows to train on");
        }
        BatchSpec spec = new BatchSpec(
                student.imgSize(),
                student.imageMean(),
                student.imageStd(),
                FeatureColumns.TARGET,
                TensorDType.fromId(md.target().dtype()),
                (int) (target[0] * target[1]),
                s.averaging().batchSizePerWorker());
        JavaRDD<MultiDataSet> batches = dataset.rows()
                .select(FeatureColumns.KEY, FeatureColumns.VIEW, FeatureColumns.PIXELS, FeatureColumns.TARGET)
                .javaRDD()
                .mapPartitions(new RowBatcher(spec));
        ComputationGraph fresh =
                StudentGraph.create(student, recipe, (int) target[1], s.optimization(), DataType.FLOAT);
        LOG.info(
                "train: {} rows of {}, student {}, target {} x {} ({} top-{})",
                rows,
                s.dataset(),
                student,
                target[0],
                target[1],
                recipe.tensor(),
                topK);
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        RunRecord.Data data =
                RunRecord.Data.of(dataset, QualifiedPaths.of(s.section() + ".dataset", s.dataset(), conf));
        TrainingLoop.Outcome outcome = TrainingLoop.run(
                spark,
                s,
                fresh,
                net -> StudentFactory.initialise(s, student, net, conf),
                s.dataset(),
                data,
                batches,
                resume,
                "train");
        TrainingState end = outcome.end();
        Path studentDir = outcome.run().finish(end.iteration(), () -> export(outcome, student, topK));
        TrainSummary summary = new TrainSummary(
                outcome.startIteration(),
                end.iteration(),
                end.epoch(),
                end.rounds(),
                outcome.firstLoss(),
                end.loss(),
                end.wallSeconds(),
                studentDir.toString());
        LOG.info("train summary: {}", summary);
        return summary;
    }

    /** {@code <run>/student/}, unless it already holds this iteration's export. */
    private static Path export(TrainingLoop.Outcome outcome, ModelConfig student, int topK) throws IOException {
        TrainingState end = outcome.end();
        if (end.iteration() == outcome.startIteration()
                && ModelFolder.complete(outcome.fs(), outcome.runDir(), RunOutputs.STUDENT, RunOutputs.SAFETENSORS)) {
            // --resume of a finished run: the export is already this iteration's; rewriting it only risks it
            Path studentDir = new Path(outcome.runDir(), RunOutputs.STUDENT);
            LOG.info("train: {} already holds the export of iteration {}; left as it is", studentDir, end.iteration());
            return studentDir;
        }
        Map<String, String> metadata = ExportMetadata.of(outcome.run().record(), end.iteration());
        metadata.put(ExportMetadata.PREFIX + "student.top-k", String.valueOf(topK));
        return RunOutputs.write(outcome.fs(), outcome.runDir(), outcome.network(), student, metadata);
    }
}
