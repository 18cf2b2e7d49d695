package io.distillery.train;

import io.distillery.dataset.FeatureDataset;
import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureMetadata;
import io.distillery.model.ModelConfig;
import io.distillery.objective.LossGroup;
import io.distillery.spark.QualifiedPaths;
import io.distillery.student.StudentGraph;
import io.distillery.student.StudentMasking;
import io.distillery.student.StudentObjective;
import io.distillery.targets.TargetRecipe;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TargetTokens;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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
 * {@code distillery train}: the student learns from the cached teacher outputs of a feature dataset on Spark, with the
 * configured weighted losses ({@code losses}: d2v on the targets by default; logit losses through a classifier head,
 * feature losses on the pooled features). Reads and checks the dataset's metadata first, then trains with parameter averaging until the iteration budget,
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
        LossSettings losses = LossSettings.from(s.source(), s.section());
        StudentMasking masking = StudentMaskSettings.from(s.source(), s.section());
        try (var lock = TrainingLoop.lockRunDir(spark, s, "train")) {
            return runLocked(spark, s, losses, masking, resume);
        }
    }

    private static TrainSummary runLocked(
            SparkSession spark, TrainSettings s, LossSettings losses, StudentMasking masking, boolean resume)
            throws IOException {
        FeatureDataset dataset = FeatureDataset.open(spark, s.dataset(), false);
        FeatureMetadata md = dataset.metadata();
        if (md.textModality()) {
            return TextTrainJob.run(spark, s, losses, masking, resume, dataset);
        }
        if (ImageTextTrainJob.requested(s)) {
            if (masking != null) {
                throw new IllegalArgumentException(s.section() + ".student.mask applies to image students; the"
                        + " multimodal student trains unmasked");
            }
            return ImageTextTrainJob.run(spark, s, losses, resume, dataset);
        }
        TextTrainJob.refuseOnImages(s, spark.sparkContext().hadoopConfiguration());
        ModelConfig student = StudentFactory.config(s, spark.sparkContext().hadoopConfiguration());
        if (masking != null) {
            StudentMaskSettings.check(masking, student, s, losses);
        }
        StudentObjective objective = objective(s, md, student, losses);
        long[] target = {md.target().shape().get(0), md.target().shape().get(1)};
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
        MaskedRows masked = masking == null ? null : maskedRows(masking, student, s, target);
        BatchSpec spec = new BatchSpec(
                student.imgSize(),
                student.imageMean(),
                student.imageStd(),
                TrainObjective.labels(objective, md),
                s.averaging().batchSizePerWorker(),
                masked);
        List<String> columns = new ArrayList<>(List.of(FeatureColumns.VIEW, FeatureColumns.PIXELS));
        spec.labelColumns().stream().filter(c -> !columns.contains(c)).forEach(columns::add);
        JavaRDD<MultiDataSet> batches = dataset.rows()
                .select(FeatureColumns.KEY, columns.toArray(new String[0]))
                .javaRDD()
                .mapPartitions(new RowBatcher(spec));
        ComputationGraph fresh = StudentGraph.create(
                student, recipe, (int) target[1], s.optimization(), DataType.FLOAT, objective, masking);
        LOG.info(
                "train: {} rows of {}, student {}, target {} x {} ({} top-{}), losses {}",
                rows,
                s.dataset(),
                student,
                target[0],
                target[1],
                recipe.tensor(),
                topK,
                losses.describe());
        if (masked != null) {
            LOG.info(
                    "train: masked student ({}): {} of {} patches seen, {} samples per row, batch {} samples = {} rows",
                    masking.describe(),
                    masked.masks().keptCount(),
                    masked.masks().tokens(),
                    masked.clones(),
                    spec.batchSize(),
                    spec.rowsPerBatch());
        }
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
                masked == null ? 1 : masked.clones(),
                resume,
                "train");
        TrainingState end = outcome.end();
        Path studentDir = outcome.run().finish(end.iteration(), () -> export(outcome, student, topK, losses, masking));
        TrainSummary summary = TrainSummary.of(outcome, studentDir);
        LOG.info("train summary: {}", summary);
        return summary;
    }

    /**
     * How rows become a masked student's examples: masks of (the job's seed, key, view, clone), nothing else, so
     * every session of a run (and every epoch, task retry and executor) makes the same examples of a row.
     *
     * @param target the dataset's target [tokens, width]
     */
    static MaskedRows maskedRows(StudentMasking masking, ModelConfig student, TrainSettings s, long[] target) {
        return new MaskedRows(
                masking.generator(student),
                s.optimization().seed(),
                (int) target[0],
                s.tokens() == TargetTokens.ALL ? 1 : 0,
                (int) target[1]);
    }

    /** The losses resolved against the dataset, after its metadata is checked against the student and them. */
    private static StudentObjective objective(
            TrainSettings s, FeatureMetadata md, ModelConfig student, LossSettings losses) {
        boolean d2v = losses.losses().stream().anyMatch(l -> l.group() == LossGroup.D2V);
        long[] target = DatasetCompatibility.check(s.dataset(), md, student, s.tokens(), d2v);
        DatasetCompatibility.checkLosses(s.dataset(), md, losses.losses(), student);
        return TrainObjective.resolve(s.dataset(), md, losses, target);
    }

    private static Path export(
            TrainingLoop.Outcome outcome, ModelConfig student, int topK, LossSettings losses, StudentMasking masking)
            throws IOException {
        TrainingState end = outcome.end();
        if (end.iteration() == outcome.startIteration()
                && ModelFolder.complete(outcome.fs(), outcome.runDir(), RunOutputs.STUDENT, RunOutputs.SAFETENSORS)) {
            // --resume of a finished run: the export is already this iteration's; rewriting it only risks it
            Path studentDir = new Path(outcome.runDir(), RunOutputs.STUDENT);
            LOG.info("train: {} already holds the export of iteration {}; left as it is", studentDir, end.iteration());
            return studentDir;
        }
        Map<String, String> metadata = ExportMetadata.of(outcome.run().record(), end.iteration());
        if (masking == null) {
            metadata.put(ExportMetadata.PREFIX + "student.top-k", String.valueOf(topK));
        } else {
            // the decoder stays in model.zip only: the exported encoder is the plain, unmasked one
            metadata.put(ExportMetadata.PREFIX + "student.mask", masking.describe());
        }
        if (!losses.isDefault()) {
            // only when set: a default run's export stays byte for byte what it was before losses existed
            metadata.put(ExportMetadata.PREFIX + "losses", losses.describe());
        }
        return RunOutputs.write(outcome.fs(), outcome.runDir(), outcome.network(), student, metadata);
    }
}
