package io.distillery.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.dataset.CaptionPairs;
import io.distillery.dataset.FeatureDataset;
import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureMetadata;
import io.distillery.features.TensorDType;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelConfigs;
import io.distillery.spark.AtomicHadoopFiles;
import io.distillery.spark.QualifiedPaths;
import io.distillery.student.ImageTextStudentConfig;
import io.distillery.student.ImageTextStudentGraph;
import io.distillery.targets.TargetRecipe;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TargetTokens;
import io.distillery.targets.TextTargetRecipe;
import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code distillery train} of a multimodal student ({@code student.multimodal.enabled}) on a captioned image dataset
 * (an extract with a caption teacher): every view is paired with its sample's caption ({@link CaptionPairs}), and
 * the {@link ImageTextStudentGraph} learns the image targets, the caption targets and CLIP's contrastive loss
 * between the two at once, with the image path's parameter averaging, checkpoints, {@code --resume} and metrics
 * ({@link TrainingLoop}). Exports {@code student/model.zip} and {@code student/multimodal.json} (the student's
 * shape and the run's provenance).
 */
final class ImageTextTrainJob {
    private static final Logger LOG = LoggerFactory.getLogger(ImageTextTrainJob.class);
    static final String SECTION = "student.multimodal";
    static final String CONFIG = "multimodal.json";
    /** {@code multimodal.json}'s {@code tokenizer_kind}: BERT WordPiece (a caption teacher's vocabulary). */
    static final String TOKENIZER_WORDPIECE = "wordpiece";
    /** CLIP's BPE (a CLIP teacher's dataset); {@code tokenizer} null means the bundled OpenAI vocabulary. */
    static final String TOKENIZER_CLIP_BPE = "clip-bpe";

    private ImageTextTrainJob() {}

    /** Whether the settings ask for a multimodal student. */
    static boolean requested(TrainSettings s) {
        return s.source().getBoolean(SECTION + ".enabled");
    }

    static TrainSummary run(
            SparkSession spark, TrainSettings s, LossSettings losses, boolean resume, FeatureDataset dataset)
            throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        FeatureMetadata md = dataset.metadata();
        if (ClipKdTrainJob.isClipCache(md)) {
            return ClipKdTrainJob.run(spark, s, losses, resume, dataset);
        }
        String what = s.dataset() + ": ";
        FeatureMetadata.Captions captions = md.captions();
        if (md.textModality()
                || captions == null
                || !FeatureColumns.TARGET.equals(md.target().column())) {
            throw new IllegalArgumentException(what + s.section() + "." + SECTION + ".enabled needs a captioned image"
                    + " dataset with data2vec targets (an extract with caption-teacher.checkpoint set)");
        }
        if (!losses.isDefault()) {
            throw new IllegalArgumentException(what + "a multimodal student trains with its own three terms ("
                    + SECTION + ".image-weight, text-weight, contrastive-weight); leave " + s.section()
                    + ".losses unset");
        }
        requireBlockTargets(what + "the image", md.target());
        requireBlockTargets(what + "the caption", captions.target());
        ModelConfig image = StudentFactory.config(s, conf);
        long imageTokens = md.target().shape().get(0);
        long expected = s.tokens() == TargetTokens.PATCHES ? image.numPatches() : image.tokens();
        if (imageTokens != expected
                || !md.target().tokens().equals(s.tokens().name().toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException(what + "image targets cover " + imageTokens + " "
                    + md.target().tokens() + " tokens; the student (" + image + ") with target.tokens = "
                    + s.tokens().name().toLowerCase(Locale.ROOT) + " predicts " + expected);
        }
        Object vocab = captions.teacher().model().get("vocab_size");
        if (!(vocab instanceof Number)) {
            throw new IllegalArgumentException(what + "the caption teacher's metadata has no vocab_size");
        }
        int textTokens = captions.text().maxLength();
        var c = s.source().getConfig(SECTION);
        ImageTextStudentConfig config = new ImageTextStudentConfig(
                image,
                ((Number) vocab).intValue(),
                textTokens,
                2,
                textTokens,
                c.getInt("top-blocks"),
                c.getInt("embed-dim"),
                c.getDouble("image-weight"),
                c.getDouble("text-weight"),
                c.getDouble("contrastive-weight"));
        int topK = s.topK() == 0 ? config.depth() : s.topK();
        int textTopK = "all".equals(c.getValue("text-top-k").unwrapped()) ? config.depth() : c.getInt("text-top-k");
        TargetRecipe imageRecipe = new TargetRecipe(
                TargetTensor.BLOCK, s.tokens(), topK, md.target().eps());
        TextTargetRecipe textRecipe = new TextTargetRecipe(
                TargetTensor.BLOCK,
                textTopK,
                captions.target().eps(),
                captions.text().layerNormTargets());
        int imageTargetDim = Math.toIntExact(md.target().shape().get(1));
        int textTargetDim = Math.toIntExact(captions.target().shape().get(1));
        ComputationGraph fresh = ImageTextStudentGraph.create(
                config, imageRecipe, imageTargetDim, textRecipe, textTargetDim, s.optimization(), DataType.FLOAT);

        long rows = dataset.rows().count();
        if (rows == 0) {
            throw new IllegalArgumentException(what + "the feature dataset has no rows to train on");
        }
        ImageTextRowBatcher batcher = new ImageTextRowBatcher(new ImageTextRowBatcher.Spec(
                image.imgSize(),
                image.imageMean(),
                image.imageStd(),
                Math.toIntExact(imageTokens * imageTargetDim),
                TensorDType.fromId(md.target().dtype()),
                textTokens,
                textTokens * textTargetDim,
                TensorDType.fromId(captions.target().dtype()),
                s.averaging().batchSizePerWorker()));
        JavaRDD<MultiDataSet> batches = CaptionPairs.attach(dataset.rows(), captions)
                .select(
                        ImageTextRowBatcher.COLUMNS[0],
                        java.util.Arrays.copyOfRange(
                                ImageTextRowBatcher.COLUMNS, 1, ImageTextRowBatcher.COLUMNS.length))
                .javaRDD()
                .mapPartitions(batcher);
        LOG.info(
                "train (image-text): {} rows of {}, student {} + text ({} tokens, vocabulary {}), {} shared + {} own"
                        + " blocks, embed {}, weights image {} text {} contrastive {}",
                rows,
                s.dataset(),
                image,
                textTokens,
                config.vocabSize(),
                config.sharedBlocks(),
                config.topBlocks(),
                config.embedDim(),
                config.imageWeight(),
                config.textWeight(),
                config.contrastiveWeight());
        return trainAndExport(
                spark,
                s,
                config,
                fresh,
                dataset,
                batches,
                resume,
                net -> net,
                d2vFields(config, topK, textTopK, captions.text()));
    }

    /**
     * The image-text students' common run: {@link TrainingLoop} from {@code fresh} (layers inherited first,
     * {@link MultimodalInit}), then {@code student/}: {@code exported} of the trained graph (the form evaluate
     * runs), with {@code fields} in {@code multimodal.json}.
     */
    static TrainSummary trainAndExport(
            SparkSession spark,
            TrainSettings s,
            ImageTextStudentConfig config,
            ComputationGraph fresh,
            FeatureDataset dataset,
            JavaRDD<MultiDataSet> batches,
            boolean resume,
            UnaryOperator<ComputationGraph> exported,
            Map<String, Object> fields)
            throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        RunRecord.Data data =
                RunRecord.Data.of(dataset, QualifiedPaths.of(s.section() + ".dataset", s.dataset(), conf));
        TrainingLoop.Outcome outcome = TrainingLoop.run(
                spark,
                s,
                fresh,
                net -> MultimodalInit.apply(s, config, net, conf),
                s.dataset(),
                data,
                batches,
                1,
                resume,
                "train");
        Path studentDir = outcome.run()
                .finish(
                        outcome.end().iteration(),
                        () -> export(outcome, exported.apply(outcome.network()), config, fields));
        TrainSummary summary = TrainSummary.of(outcome, studentDir);
        LOG.info("train summary: {}", summary);
        return summary;
    }

    private static void requireBlockTargets(String what, FeatureMetadata.Target target) {
        if (!"block".equals(target.tensor())) {
            throw new IllegalArgumentException(what + " targets are '" + target.tensor() + "'; the multimodal student"
                    + " regresses block-output targets (extract with target.tensor = block and"
                    + " caption-teacher.tensor = block)");
        }
    }

    /**
     * {@code student/}: the training graph and the student's shape ({@code multimodal.json}: the encoders' sizes, then
     * {@code fields}, the objective's own), written into a temp folder renamed last.
     */
    static Path export(
            TrainingLoop.Outcome outcome,
            ComputationGraph network,
            ImageTextStudentConfig config,
            Map<String, Object> fields)
            throws IOException {
        FileSystem fs = outcome.fs();
        Path runDir = outcome.runDir();
        Path target = new Path(runDir, RunOutputs.STUDENT);
        Path tmp = new Path(runDir, "_tmp-" + RunOutputs.STUDENT + "-" + System.nanoTime());
        fs.mkdirs(tmp);
        try (OutputStream out = fs.create(new Path(tmp, ModelFolder.MODEL), false)) {
            ModelSerializer.writeModel(network, out, network == outcome.network());
        }
        Map<String, Object> shape = new LinkedHashMap<>();
        shape.put("image", ModelConfigs.toJsonMap(config.image()));
        shape.put("vocab_size", config.vocabSize());
        shape.put("max_positions", config.maxPositions());
        shape.put("type_vocab_size", config.typeVocabSize());
        shape.put("text_tokens", config.textTokens());
        shape.put("shared_blocks", config.sharedBlocks());
        shape.put("top_blocks", config.topBlocks());
        shape.put("embed_dim", config.embedDim());
        shape.putAll(fields);
        shape.put(
                "provenance",
                ExportMetadata.of(outcome.run().record(), outcome.end().iteration()));
        try (OutputStream out = fs.create(new Path(tmp, CONFIG), false)) {
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out, shape);
        }
        AtomicHadoopFiles.replaceFolder(fs, tmp, target);
        return target;
    }

    /** The d2v student's own fields of {@code multimodal.json}. */
    private static Map<String, Object> d2vFields(
            ImageTextStudentConfig config, int topK, int textTopK, FeatureMetadata.Text tokenization) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("image_top_k", topK);
        fields.put("text_top_k", textTopK);
        // how captions become ids, for evaluate and anybody running the student on new text
        fields.put("tokenizer_kind", TOKENIZER_WORDPIECE);
        fields.put("tokenizer", tokenization.tokenizer());
        fields.put("tokenizer_sha256", tokenization.tokenizerSha256());
        fields.put("lowercase", tokenization.lowercase());
        fields.put(
                "weights",
                Map.of(
                        "image",
                        config.imageWeight(),
                        "text",
                        config.textWeight(),
                        "contrastive",
                        config.contrastiveWeight()));
        return fields;
    }
}
