package io.distillery.evaluate;

import io.distillery.checkpoint.DType;
import io.distillery.model.Nd4jSeed;
import io.distillery.model.bert.BertConfig;
import io.distillery.model.text.TextEncoderGraph;
import io.distillery.model.text.TextWeights;
import io.distillery.provenance.Sha256;
import io.distillery.report.ModelResult;
import io.distillery.spark.FileDigests;
import io.distillery.spark.ModelFiles;
import io.distillery.spark.QualifiedPaths;
import io.distillery.spark.TextModelFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * {@code evaluate} with {@code modality = text}: BERT models on labelled texts ({@link LabelledTexts}). Features
 * (the last layer pooled, {@link TextFeatures}) are computed on the executors, kNN and linear probe on the driver,
 * and the report is the image path's ({@link EvaluationOutput}). Target similarity is not computed for text.
 */
final class TextEvaluateJob {
    private static final Logger LOG = LoggerFactory.getLogger(TextEvaluateJob.class);
    private static final String TOKENIZER_KEY = EvaluateSettings.SECTION + ".text.tokenizer";

    /** A BERT ready to score: a config and a checkpoint executors can read, and that file's SHA-256. */
    record TextModel(ModelSpec spec, String model, String checkpoint, String checkpointSha256) {}

    private TextEvaluateJob() {}

    /** Runs with {@code <out>/writer.lock} held by {@link EvaluateJob#run}. */
    static EvaluateJob.Outcome runLocked(SparkSession spark, EvaluateSettings s) throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path out = Files.createDirectories(Path.of(s.out()).toAbsolutePath());
        EvaluateSettings.Text t = s.text();
        String tokenizer = existing(TOKENIZER_KEY, t.tokenizer(), conf);
        // read once here: a bad tokenizer file fails on the driver in one line, not in every task
        int vocabulary = TextModelFiles.tokenizer(
                        TOKENIZER_KEY, tokenizer, t.lowercase(), ModelFiles.localCopy(tokenizer, conf))
                .vocabSize();
        String trainKey = EvaluateSettings.SECTION + ".train-texts";
        String testKey = EvaluateSettings.SECTION + ".test-texts";
        List<LabelledTexts.Example> train = LabelledTexts.read(trainKey, t.trainTexts(), conf);
        train = LabelledTexts.sample(train, s.maxTrain(), s.seed());
        List<LabelledTexts.Example> test = LabelledTexts.read(testKey, t.testTexts(), conf);
        Map<String, Integer> classes = LabelledTexts.classes(train);
        int[] trainLabels = LabelledTexts.labels(trainKey, train, classes);
        int[] testLabels = LabelledTexts.labels(testKey, test, classes);
        if (s.targetDataset() != null) {
            LOG.warn(
                    "evaluate: target similarity is not computed for text models; targets.dataset {} skipped",
                    s.targetDataset());
        }
        List<TextModel> models = new ArrayList<>();
        for (ModelSpec spec : s.models()) {
            models.add(resolve(spec, out, s, vocabulary, conf));
        }

        List<ModelResult> results = new ArrayList<>();
        for (TextModel m : models) {
            spark.sparkContext()
                    .setJobGroup("distillery-evaluate", "evaluate " + m.spec().name(), false);
            long start = System.nanoTime();
            float[][] trainFeatures = features(spark, LabelledTexts.texts(train), m, tokenizer, t, s.batchSize());
            float[][] testFeatures = features(spark, LabelledTexts.texts(test), m, tokenizer, t, s.batchSize());
            ModelResult result = EvaluationOutput.accuracies(
                            m.spec(), trainFeatures, trainLabels, testFeatures, testLabels, s)
                    .withCheckpoint(m.checkpoint(), m.checkpointSha256());
            results.add(result);
            EvaluationOutput.log(result, start);
        }
        spark.sparkContext().clearJobGroup();

        Map<String, String> settings = new LinkedHashMap<>();
        settings.put(
                "train texts", t.trainTexts() + (s.maxTrain() > 0 ? " (a seeded sample of " + s.maxTrain() + ")" : ""));
        settings.put("test texts", t.testTexts());
        settings.put("classes", String.valueOf(classes.size()));
        settings.put(
                "tokenizer",
                t.tokenizer() + (TextModelFiles.tokenizerJson(t.tokenizer()) ? "" : ", lowercase " + t.lowercase())
                        + ", max length " + t.maxLength());
        settings.put(
                "features",
                t.pooling() == io.distillery.scoring.EncoderScoring.Pooling.CLS
                        ? "[CLS] of the last layer"
                        : "mean of the last layer over real tokens");
        EvaluationOutput.putClassifiers(settings, s);
        return EvaluationOutput.write(out, settings, results, s, conf);
    }

    /**
     * Pooled features [N][D] of {@code texts}, in order, computed on the executors.
     *
     * @param tokenizer the tokenizer file, qualified (executors read it)
     */
    static float[][] features(
            SparkSession spark,
            List<String> texts,
            TextModel m,
            String tokenizer,
            EvaluateSettings.Text t,
            int batchSize) {
        List<Tuple2<Integer, String>> indexed = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            indexed.add(new Tuple2<>(i, texts.get(i)));
        }
        List<Tuple2<Integer, float[]>> scored = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(indexed)
                .mapPartitions(new TextFeatures(
                        m.model(), m.checkpoint(), tokenizer, t.lowercase(), t.maxLength(), t.pooling(), batchSize))
                .collect();
        float[][] features = new float[texts.size()][];
        for (Tuple2<Integer, float[]> f : scored) {
            features[f._1()] = f._2();
        }
        return features;
    }

    /**
     * The spec's config and checkpoint as files executors can read; a random model is written here first.
     *
     * @param vocabulary the tokenizer's ids, which must fit the model's vocab_size
     */
    static TextModel resolve(ModelSpec spec, Path out, EvaluateSettings s, int vocabulary, Configuration conf)
            throws IOException {
        String key = EvaluateSettings.SECTION + ".models." + spec.name();
        String model = spec.model();
        String checkpoint = spec.checkpoint();
        if (spec.runDir() != null && (model == null || checkpoint == null)) {
            String run = QualifiedPaths.of(key + ".run-dir", spec.runDir(), conf);
            FileSystem fs = new org.apache.hadoop.fs.Path(run).getFileSystem(conf);
            // a text train run exports <run>/student/, a pretrain-mlm run <run>/model/
            String folder = fs.isFile(new org.apache.hadoop.fs.Path(run + "/student/model.safetensors"))
                    ? "student"
                    : fs.isFile(new org.apache.hadoop.fs.Path(run + "/model/model.safetensors")) ? "model" : null;
            if (folder == null) {
                throw new IllegalArgumentException(key + ": run-dir " + run + " holds neither student/model.safetensors"
                        + " (a finished text train run) nor model/model.safetensors (a finished pretrain-mlm run)");
            }
            model = model != null ? model : run + "/" + folder + "/config.json";
            checkpoint = checkpoint != null ? checkpoint : run + "/" + folder + "/model.safetensors";
        }
        if (model == null) {
            throw new IllegalArgumentException(key + ": set model (a BERT config.json or preset)");
        }
        boolean preset = BertConfig.presets().containsKey(model);
        String modelFile = preset ? model : existing(key + ".model", model, conf);
        BertConfig config;
        try {
            config = TextModelFiles.bertConfig(modelFile, conf);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ".model: " + e.getMessage(), e);
        }
        if (s.text().maxLength() > config.maxPositions()) {
            throw new IllegalArgumentException(
                    EvaluateSettings.SECTION + ".text.max-length " + s.text().maxLength() + " exceeds the "
                            + config.maxPositions() + " positions of " + key + " (max_position_embeddings)");
        }
        if (vocabulary > config.vocabSize()) {
            throw new IllegalArgumentException(TOKENIZER_KEY + " " + s.text().tokenizer() + " has " + vocabulary
                    + " tokens but the vocab_size of " + key + " is " + config.vocabSize());
        }
        if (!ModelSpec.RANDOM.equals(checkpoint)) {
            String file = existing(key + ".checkpoint", checkpoint, conf);
            // hashed on the driver before scoring: the report names exactly the weights it scored
            return new TextModel(spec, modelFile, file, FileDigests.sha256(file, conf));
        }
        // BERT's N(0, 0.02) init of that config, seeded, written once so executors can load it
        Path weights = Files.createDirectories(out.resolve("_models")).resolve(spec.name() + ".safetensors");
        Nd4j.getRandom().setSeed(Nd4jSeed.of(s.seed()));
        ComputationGraph graph = TextEncoderGraph.create(config, s.text().maxLength(), s.seed(), DataType.FLOAT);
        TextWeights.write(graph, weights, DType.F32);
        LOG.info("evaluate {}: random BERT {} (seed {}) written to {}", spec.name(), config, s.seed(), weights);
        return new TextModel(spec, modelFile, weights.toString(), Sha256.of(weights));
    }

    /** {@code path} qualified, after checking on the driver that the file exists. */
    private static String existing(String key, String path, Configuration conf) throws IOException {
        String qualified = QualifiedPaths.of(key, path, conf);
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(qualified);
        if (!file.getFileSystem(conf).isFile(file)) {
            throw new IllegalArgumentException(key + ": " + path + " does not exist (or is not a file)");
        }
        return qualified;
    }
}
