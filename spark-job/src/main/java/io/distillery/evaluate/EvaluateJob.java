package io.distillery.evaluate;

import io.distillery.checkpoint.DType;
import io.distillery.dataset.FeatureDataset;
import io.distillery.dataset.LabelledImages;
import io.distillery.dataset.ViewSettings;
import io.distillery.eval.TargetSimilarity;
import io.distillery.features.FeatureColumns;
import io.distillery.features.TensorDType;
import io.distillery.features.TensorPacking;
import io.distillery.image.DecodeLimits;
import io.distillery.model.Encoder;
import io.distillery.model.EncoderExport;
import io.distillery.model.EncoderGraph;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelConfigs;
import io.distillery.model.ModelFamily;
import io.distillery.model.Nd4jSeed;
import io.distillery.model.PoolingHead;
import io.distillery.provenance.BuildInfo;
import io.distillery.provenance.Sha256;
import io.distillery.report.EvaluationReport;
import io.distillery.report.ModelResult;
import io.distillery.scoring.EncoderScoring;
import io.distillery.scoring.PixelBatch;
import io.distillery.spark.FileDigests;
import io.distillery.spark.ModelFiles;
import io.distillery.spark.QualifiedPaths;
import io.distillery.student.StudentGraph;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates every configured encoder on the same labelled images: features on the executors, kNN and linear probe
 * on the driver (features are small: N x D floats), optional target similarity for distilled students, then
 * {@code report.md}, {@code report.json} (naming every scored checkpoint and its SHA-256), {@code accuracy.png}
 * (and {@code loss.png}) in the output folder.
 */
public final class EvaluateJob {
    private static final Logger LOG = LoggerFactory.getLogger(EvaluateJob.class);

    /** What was written. */
    public record Outcome(EvaluationReport report, Path markdown, Path json, List<Path> plots) {}

    private EvaluateJob() {}

    /** Runs holding {@code <out>/writer.lock}: one evaluate per output folder at a time. */
    public static Outcome run(SparkSession spark, EvaluateSettings s) throws IOException {
        Path out = Files.createDirectories(Path.of(s.out()).toAbsolutePath());
        try (var lock = io.distillery.locks.WriterLock.acquire(
                new org.apache.hadoop.fs.Path(out.resolve("writer.lock").toUri()),
                out.toString(),
                "evaluate",
                spark.sparkContext().hadoopConfiguration())) {
            return s.modality() == io.distillery.shards.Modality.TEXT
                    ? TextEvaluateJob.runLocked(spark, s)
                    : runLocked(spark, s);
        }
    }

    private static Outcome runLocked(SparkSession spark, EvaluateSettings s) throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path out = Files.createDirectories(Path.of(s.out()).toAbsolutePath());
        List<ResolvedModel> models = new ArrayList<>();
        for (ModelSpec spec : s.models()) {
            models.add(resolve(spec, out, s.seed(), conf));
        }
        ModelConfig first = models.get(0).config();
        for (ResolvedModel m : models) {
            if (m.config().imgSize() != first.imgSize()) {
                throw new IllegalArgumentException("distillery.evaluate.models."
                        + m.spec().name() + " has img_size "
                        + m.config().imgSize() + " but " + models.get(0).spec().name() + " has " + first.imgSize()
                        + "; evaluate models of one input size together");
            }
        }
        LabelledImages.Views views = new LabelledImages.Views(
                first.imgSize(), ViewSettings.evalOnly(1.0), DecodeLimits.defaults(), s.seed());
        Dataset<Row> train = LabelledImages.load(spark, s.trainImages(), views)
                .rows()
                .filter(functions.col(FeatureColumns.LABEL).isNotNull());
        if (s.maxTrain() > 0) {
            train = train.orderBy(FeatureColumns.KEY).limit(s.maxTrain());
        }
        train = train.persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> test = LabelledImages.load(spark, s.testImages(), views)
                .rows()
                .filter(functions.col(FeatureColumns.LABEL).isNotNull())
                .persist(StorageLevel.MEMORY_AND_DISK());

        List<ModelResult> results = new ArrayList<>();
        for (ResolvedModel m : models) {
            spark.sparkContext()
                    .setJobGroup("distillery-evaluate", "evaluate " + m.spec().name(), false);
            long start = System.nanoTime();
            Labelled trainFeatures = features(spark, train, m, s);
            Labelled testFeatures = features(spark, test, m, s);
            ModelResult result = EvaluationOutput.accuracies(
                            m.spec(),
                            trainFeatures.features(),
                            trainFeatures.labels(),
                            testFeatures.features(),
                            testFeatures.labels(),
                            s)
                    .withCheckpoint(m.checkpoint(), m.checkpointSha256());
            if (testFeatures.headAccuracy() != null) {
                result = result.withHeadAccuracy(testFeatures.headAccuracy());
            }
            if (m.spec().runDir() != null && s.targetDataset() != null) {
                TargetSimilarity similarity = targetSimilarity(spark, m, s);
                if (similarity != null) {
                    result = result.withTargetSimilarity(similarity.mse(), similarity.meanCosine());
                }
            }
            results.add(result);
            EvaluationOutput.log(result, start);
        }
        spark.sparkContext().clearJobGroup();
        train.unpersist();
        test.unpersist();

        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(
                "train images", s.trainImages().path() + (s.maxTrain() > 0 ? " (first " + s.maxTrain() + ")" : ""));
        settings.put("test images", s.testImages().path());
        settings.put("features", s.pooling().name().toLowerCase(java.util.Locale.ROOT) + " of the last block");
        EvaluationOutput.putClassifiers(settings, s);
        if (s.targetDataset() != null) {
            settings.put("targets", s.targetDataset() + " (" + s.targetRows() + " rows)");
        }
        return EvaluationOutput.write(out, settings, results, s, conf);
    }

    /** A model ready to score: its config, a checkpoint path executors can read, and that file's SHA-256. */
    private record ResolvedModel(
            ModelSpec spec, ModelConfig config, String model, String checkpoint, String checkpointSha256) {}

    /** Features and labels of scored rows; the classifier head's top-1 when the model has a head, else null. */
    private record Labelled(float[][] features, int[] labels, Double headAccuracy) {}

    private static ResolvedModel resolve(ModelSpec spec, Path out, long seed, Configuration conf) throws IOException {
        ModelConfig config = ModelFiles.config(spec.model(), conf);
        if (!ModelSpec.RANDOM.equals(spec.checkpoint())) {
            String model = ModelConfigs.presets().containsKey(spec.model())
                    ? spec.model()
                    : QualifiedPaths.of("models[" + spec.name() + "].model", spec.model(), conf);
            String checkpoint = QualifiedPaths.of("models[" + spec.name() + "].checkpoint", spec.checkpoint(), conf);
            org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(checkpoint);
            if (!file.getFileSystem(conf).isFile(file)) { // checked here, not in every executor's task
                throw new IllegalArgumentException("models." + spec.name() + " (" + spec.kind() + "): checkpoint "
                        + checkpoint + " does not exist"
                        + (spec.runDir() != null ? " (is " + spec.runDir() + " a finished train run?)" : ""));
            }
            // hashed on the driver before scoring: the report names exactly the weights it scored
            return new ResolvedModel(spec, config, model, checkpoint, FileDigests.sha256(checkpoint, conf));
        }
        // a randomly initialised encoder of the same architecture, written once so executors can load it
        Path dir = Files.createDirectories(out.resolve("_models"));
        Path weights = dir.resolve(spec.name() + ".safetensors");
        Path json = dir.resolve(spec.name() + ".json");
        Nd4j.getRandom().setSeed(Nd4jSeed.of(seed)); // the SameDiff layers draw their init from ND4J's global generator
        ComputationGraph graph = EncoderGraph.create(config, seed, DataType.FLOAT);
        int d = config.embedDim();
        PoolingHead head = config.family() == ModelFamily.BEITV2
                ? new PoolingHead(
                        Nd4j.ones(DataType.FLOAT, d), Nd4j.zeros(DataType.FLOAT, d), null, null, config.layerNormEps())
                : null;
        EncoderExport.write(
                new Encoder(config.withNumClasses(0), graph, head),
                weights,
                DType.F32,
                Map.of("distillery.random-init-seed", String.valueOf(seed)));
        new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValue(json.toFile(), ModelConfigs.toJsonMap(config.withNumClasses(0)));
        return new ResolvedModel(
                spec, config.withNumClasses(0), json.toString(), weights.toString(), Sha256.of(weights));
    }

    private static Labelled features(SparkSession spark, Dataset<Row> rows, ResolvedModel m, EvaluateSettings s) {
        List<Row> scored = EncoderScoring.score(
                        spark, rows, new EncoderScoring(m.model(), m.checkpoint(), s.pooling(), s.batchSize()))
                .select(FeatureColumns.LABEL, EncoderScoring.FEATURES, EncoderScoring.PREDICTED)
                .collectAsList();
        if (scored.isEmpty()) {
            throw new IllegalArgumentException(
                    "no labelled images to evaluate " + m.spec().name() + " on");
        }
        float[][] features = new float[scored.size()][];
        int[] labels = new int[scored.size()];
        boolean head = m.config().numClasses() > 0;
        long correct = 0;
        for (int i = 0; i < scored.size(); i++) {
            labels[i] = scored.get(i).getInt(0);
            if (head && !scored.get(i).isNullAt(2) && scored.get(i).getInt(2) == labels[i]) {
                correct++;
            }
            List<Float> f = scored.get(i).getList(1);
            features[i] = new float[f.size()];
            for (int j = 0; j < features[i].length; j++) {
                features[i][j] = f.get(j);
            }
        }
        return new Labelled(features, labels, head ? (double) correct / labels.length : null);
    }

    /**
     * The student's predicted targets (its training head) against the cached teacher targets of held-out rows; null
     * when the run's training graph has no such head.
     */
    private static TargetSimilarity targetSimilarity(SparkSession spark, ResolvedModel m, EvaluateSettings s)
            throws IOException {
        FeatureDataset dataset = FeatureDataset.open(spark, s.targetDataset(), false);
        var md = dataset.metadata();
        org.apache.hadoop.fs.Path zip = new org.apache.hadoop.fs.Path(m.spec().runDir() + "/student/model.zip");
        ComputationGraph net;
        try (InputStream in =
                zip.getFileSystem(spark.sparkContext().hadoopConfiguration()).open(zip)) {
            net = ModelSerializer.restoreComputationGraph(in, false);
        }
        if (!net.getConfiguration().getVertices().containsKey(StudentGraph.HEAD)
                || net.getConfiguration().getNetworkInputs().size() != 1) {
            // a masked student predicts targets through its decoder at masked positions only; a run without d2v
            // predicts none
            LOG.warn(
                    "evaluate {}: {} has no unmasked target head (a masked student, or no d2v loss); target"
                            + " similarity skipped",
                    m.spec().name(),
                    zip);
            return null;
        }
        List<Row> rows = dataset.rows()
                .filter(functions.col(FeatureColumns.VIEW).equalTo(0))
                .orderBy(FeatureColumns.KEY)
                .limit(s.targetRows())
                .select(FeatureColumns.KEY, FeatureColumns.PIXELS, FeatureColumns.TARGET)
                .collectAsList();
        long tokens = md.target().shape().get(0);
        long width = md.target().shape().get(1);
        TensorDType dtype = TensorDType.fromId(md.target().dtype());
        TargetSimilarity total = null;
        for (int i = 0; i < rows.size(); i += s.batchSize()) {
            List<Row> chunk = rows.subList(i, Math.min(rows.size(), i + s.batchSize()));
            List<byte[]> pixels = new ArrayList<>();
            float[] targets = new float[(int) (chunk.size() * tokens * width)];
            for (int r = 0; r < chunk.size(); r++) {
                pixels.add(chunk.get(r).getAs(FeatureColumns.PIXELS));
                TensorPacking.unpack(
                        chunk.get(r).getAs(FeatureColumns.TARGET), dtype, targets, (int) (r * tokens * width), (int)
                                (tokens * width));
            }
            INDArray images = PixelBatch.toImages(
                    pixels,
                    m.config().imgSize(),
                    m.config().imageMean(),
                    m.config().imageStd(),
                    r -> "row " + chunk.get(r).getAs(FeatureColumns.KEY));
            INDArray predicted = net.feedForward(new INDArray[] {images}, false, false)
                    .get(StudentGraph.HEAD)
                    .reshape(chunk.size(), tokens, width);
            INDArray target = Nd4j.create(targets, new long[] {chunk.size(), tokens, width}, DataType.FLOAT);
            total = total == null ? TargetSimilarity.of(predicted, target) : total.add(predicted, target);
        }
        if (total == null) {
            throw new IllegalArgumentException(s.targetDataset() + ": no rows for target similarity");
        }
        return total;
    }

    static String versions() {
        return BuildInfo.versions().toString();
    }
}
