package io.distillery.train;

import io.distillery.dataset.FeatureDataset;
import io.distillery.dataset.LabelledImages;
import io.distillery.features.FeatureColumns;
import io.distillery.model.ModelConfig;
import io.distillery.scoring.EncoderScoring;
import io.distillery.shards.InputOptions;
import io.distillery.spark.QualifiedPaths;
import io.distillery.student.ClassifierGraph;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code distillery finetune}: a classification head ({@code fc_norm} + softmax) on an encoder (random, pretrained
 * or distilled), trained with cross-entropy on labelled rows with the same distributed trainer and checkpoints as
 * {@code train}. Writes {@code <run>/model/} (DL4J model, timm-style safetensors with the head, config.json) and
 * reports top-1 accuracy on the held-out images (or the training rows' eval views).
 */
public final class FinetuneJob {
    private static final Logger LOG = LoggerFactory.getLogger(FinetuneJob.class);
    static final String MODEL_DIR = "model";
    static final String WEIGHTS = "model.safetensors";

    /** @param accuracy top-1 accuracy on {@code evaluatedOn} rows */
    public record Summary(
            int iteration,
            double firstLoss,
            double finalLoss,
            double accuracy,
            long evaluatedRows,
            String evaluatedOn,
            String modelDir) {}

    private FinetuneJob() {}

    public static Summary run(SparkSession spark, FinetuneSettings f, boolean resume) throws IOException {
        if (!LossSettings.from(f.common().source(), FinetuneSettings.SECTION).isDefault()) {
            // inherited from distillery.train; silently ignoring a configured loss would mislead
            throw new IllegalArgumentException(FinetuneSettings.SECTION
                    + ".losses does not apply: finetune trains its classifier with cross-entropy");
        }
        if (StudentMaskSettings.from(f.common().source(), FinetuneSettings.SECTION) != null) {
            throw new IllegalArgumentException(FinetuneSettings.SECTION + "." + StudentMaskSettings.KEY + "."
                    + StudentMaskSettings.KEY_ENABLED + " does not apply: finetune trains on whole images");
        }
        try (var lock = TrainingLoop.lockRunDir(spark, f.common(), "finetune")) {
            return runLocked(spark, f, resume);
        }
    }

    private static Summary runLocked(SparkSession spark, FinetuneSettings f, boolean resume) throws IOException {
        TrainSettings s = f.common();
        ModelConfig encoder = StudentFactory.config(s, spark.sparkContext().hadoopConfiguration());
        Labelled train = labelled(spark, f, f.images(), encoder);
        int classes = f.numClasses() > 0 ? f.numClasses() : train.classNames().size();
        if (classes < 2) {
            throw new IllegalArgumentException(f.dataId() + ": found "
                    + train.classNames().size() + " class name(s); set " + FinetuneSettings.SECTION + ".num-classes");
        }
        Dataset<Row> rows = train.rows()
                .filter(functions.col(FeatureColumns.LABEL).isNotNull())
                .persist(StorageLevel.MEMORY_AND_DISK());
        long count = rows.count();
        if (count == 0) {
            throw new IllegalArgumentException(f.dataId() + ": no labelled rows to finetune on");
        }
        BatchSpec spec = BatchSpec.single(
                encoder.imgSize(),
                encoder.imageMean(),
                encoder.imageStd(),
                new ClassColumn(FeatureColumns.LABEL, classes, "finetune", f.labelSmoothing()),
                s.averaging().batchSizePerWorker());
        JavaRDD<MultiDataSet> batches = rows.select(
                        FeatureColumns.KEY, FeatureColumns.VIEW, FeatureColumns.LABEL, FeatureColumns.PIXELS)
                .javaRDD()
                .mapPartitions(new RowBatcher(spec));
        LOG.info("finetune: {} labelled rows of {}, {} classes, encoder {}", count, f.dataId(), classes, encoder);
        ComputationGraph fresh = ClassifierGraph.create(encoder, classes, s.optimization(), DataType.FLOAT);
        TrainingLoop.Outcome outcome = TrainingLoop.run(
                spark,
                s,
                fresh,
                net -> StudentFactory.initialise(
                        s, encoder, net, spark.sparkContext().hadoopConfiguration()),
                f.dataId(),
                train.describe(spark),
                batches,
                1,
                resume,
                "finetune");
        Summary summary = outcome.run()
                .finish(outcome.end().iteration(), () -> exportAndEvaluate(spark, f, outcome, encoder, rows));
        LOG.info("finetune summary: {}", summary);
        return summary;
    }

    /** Writes {@code <run>/model/} and scores it on the held-out images (or the training rows' eval views). */
    private static Summary exportAndEvaluate(
            SparkSession spark,
            FinetuneSettings f,
            TrainingLoop.Outcome outcome,
            ModelConfig encoder,
            Dataset<Row> rows)
            throws IOException {
        Path modelDir = writeModel(outcome, encoder);

        Dataset<Row> evalRows = f.evalImages() != null
                ? labelled(spark, f, f.evalImages(), encoder)
                        .rows()
                        .filter(functions.col(FeatureColumns.VIEW).equalTo(0))
                : rows.filter(functions.col(FeatureColumns.VIEW).equalTo(0));
        String evaluatedOn =
                f.evalImages() != null ? f.evalImages().path() : f.dataId() + " (training rows, eval view)";
        Path config = new Path(modelDir, RunOutputs.CONFIG);
        Path weights = new Path(modelDir, WEIGHTS);
        Dataset<Row> scored = EncoderScoring.score(
                spark,
                evalRows,
                new EncoderScoring(config.toString(), weights.toString(), EncoderScoring.Pooling.MEAN, 64));
        Row counts = scored.agg(
                        functions.count(functions.lit(1)),
                        functions.sum(functions
                                .when(
                                        functions
                                                .col(EncoderScoring.PREDICTED)
                                                .equalTo(functions.col(FeatureColumns.LABEL)),
                                        1)
                                .otherwise(0)))
                .first();
        long evaluated = counts.getLong(0);
        double accuracy = evaluated == 0 ? Double.NaN : (double) counts.getLong(1) / evaluated;
        rows.unpersist();
        return new Summary(
                outcome.end().iteration(),
                outcome.firstLoss(),
                outcome.end().loss(),
                accuracy,
                evaluated,
                evaluatedOn,
                modelDir.toString());
    }

    /**
     * Labelled rows (key, view, label, pixels) and class names, from shards or a feature dataset.
     *
     * @param source the image shards' path, or the feature dataset's
     * @param dataset the feature dataset; null for image shards
     */
    private record Labelled(Dataset<Row> rows, List<String> classNames, String source, FeatureDataset dataset) {

        /** What run.json records about the data. */
        RunRecord.Data describe(SparkSession spark) {
            String path = QualifiedPaths.of(source, spark.sparkContext().hadoopConfiguration());
            return dataset == null ? RunRecord.Data.images(path) : RunRecord.Data.of(dataset, path);
        }
    }

    private static Labelled labelled(SparkSession spark, FinetuneSettings f, InputOptions images, ModelConfig encoder)
            throws IOException {
        if (images != null) {
            LabelledImages li = LabelledImages.load(
                    spark,
                    images,
                    new LabelledImages.Views(
                            encoder.imgSize(),
                            images == f.images() ? f.views() : f.views().withoutRandomViews(),
                            f.decode(),
                            f.common().optimization().seed()));
            return new Labelled(li.rows(), li.classNames(), images.path(), null);
        }
        FeatureDataset ds = FeatureDataset.open(spark, f.common().dataset(), false);
        DatasetCompatibility.requireImages(f.common().dataset(), ds.metadata());
        if (ds.metadata().preprocessing().imgSize() != encoder.imgSize()) {
            throw new IllegalArgumentException(f.common().dataset() + ": feature dataset image size is "
                    + ds.metadata().preprocessing().imgSize() + " but the encoder's img_size is " + encoder.imgSize());
        }
        List<String> names = ds.metadata().input().classNames();
        return new Labelled(
                ds.rows().select(FeatureColumns.KEY, FeatureColumns.VIEW, FeatureColumns.LABEL, FeatureColumns.PIXELS),
                names == null ? List.of() : names,
                f.common().dataset(),
                ds);
    }

    /** {@code <run>/model/}: model.zip, model.safetensors (timm names, with fc_norm + head), config.json. */
    private static Path writeModel(TrainingLoop.Outcome outcome, ModelConfig encoder) throws IOException {
        Map<String, String> metadata =
                ExportMetadata.of(outcome.run().record(), outcome.end().iteration());
        metadata.put(ExportMetadata.PREFIX + "finetuned", "true");
        ComputationGraph network = outcome.network();
        return ModelFolder.write(
                outcome.fs(),
                outcome.runDir(),
                MODEL_DIR,
                network,
                ClassifierGraph.toEncoder(network, encoder),
                WEIGHTS,
                metadata,
                Map.of());
    }
}
