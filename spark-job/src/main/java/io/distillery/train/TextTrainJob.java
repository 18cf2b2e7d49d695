package io.distillery.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.checkpoint.DType;
import io.distillery.checkpoint.SafetensorsFile;
import io.distillery.checkpoint.SafetensorsWriter;
import io.distillery.dataset.FeatureDataset;
import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureMetadata;
import io.distillery.features.TensorDType;
import io.distillery.model.bert.BertConfig;
import io.distillery.model.text.TextWeights;
import io.distillery.objective.LossGroup;
import io.distillery.objective.LossSpec;
import io.distillery.spark.AtomicHadoopFiles;
import io.distillery.spark.ModelFiles;
import io.distillery.spark.QualifiedPaths;
import io.distillery.student.StudentMasking;
import io.distillery.student.StudentObjective;
import io.distillery.student.StudentTargetHead;
import io.distillery.student.TextStudentGraph;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TextTargetRecipe;
import io.distillery.train.TrainingLoop.Outcome;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code distillery train} on a text feature dataset: a shallow BERT student ({@code student.model} a Hugging Face
 * BERT {@code config.json} or preset, {@code student.depth}, {@code student.init-checkpoint} a BERT safetensors with
 * {@code student.init-layers}: DistilBERT-style layer inheritance) regresses the dataset's per-token data2vec targets
 * over the real tokens ({@link TextStudentGraph}), and/or TinyBERT's {@code hidden} and {@code attention} losses
 * against the dataset's {@code layer_LL} and {@code attention_LL} columns (real positions only), with the image path's parameter averaging, checkpoints,
 * {@code --resume} and metrics ({@link TrainingLoop}). Exports {@code student/}: {@code model.zip},
 * {@code model.safetensors} (Hugging Face BERT names, which {@code BertEncoder} loads), {@code config.json} (a
 * Hugging Face BERT config) and {@code projection.safetensors} when the widths differ.
 */
final class TextTrainJob {
    private static final Logger LOG = LoggerFactory.getLogger(TextTrainJob.class);
    static final String SAFETENSORS = "model.safetensors";
    static final String PROJECTION = RunOutputs.PROJECTION;
    static final String INIT_LAYERS = "student.init-layers";
    private static final Set<LossGroup> TEXT_LOSSES = EnumSet.of(LossGroup.D2V, LossGroup.TOKENS, LossGroup.ATTENTION);
    private static final Pattern LAYER = Pattern.compile("^(?:bert\\.)?encoder\\.layer\\.(\\d+)\\.");

    private TextTrainJob() {}

    /** Whether {@code student.model} names a BERT (a preset or a config.json whose model_type is "bert"). */
    static boolean textStudent(TrainSettings s, Configuration conf) {
        if (BertConfig.presets().containsKey(s.studentModel())) {
            return true;
        }
        if (!s.studentModel().endsWith(".json")) {
            return false;
        }
        try {
            JsonNode root = new ObjectMapper()
                    .readTree(ModelFiles.localCopy(s.studentModel(), conf).toFile());
            return root != null && "bert".equals(root.path("model_type").asText());
        } catch (IOException | IllegalArgumentException e) {
            return false; // the image path reports what is wrong with the file
        }
    }

    /** On an image dataset: a BERT student or text-only keys are refused in one line. */
    static void refuseOnImages(TrainSettings s, Configuration conf) {
        if (!s.source().getIntList(INIT_LAYERS).isEmpty()) {
            throw new IllegalArgumentException(s.section() + "." + INIT_LAYERS
                    + " applies to text students only; an image student inherits student.init-blocks");
        }
        if (textStudent(s, conf)) {
            throw new IllegalArgumentException(s.section() + ".student.model " + s.studentModel()
                    + " is a BERT (text) student, but " + s.dataset() + " is an image feature dataset");
        }
    }

    static TrainSummary run(
            SparkSession spark,
            TrainSettings s,
            LossSettings losses,
            StudentMasking masking,
            boolean resume,
            FeatureDataset dataset)
            throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        FeatureMetadata md = dataset.metadata();
        refuseImageSettings(s, losses, masking, conf);
        BertConfig student = config(s, conf);
        int tokens = md.text().maxLength();
        List<Long> shape = md.target().shape();
        if (shape.size() != 2 || shape.get(0) != tokens) {
            throw new IllegalArgumentException(s.dataset() + ": target shape " + shape + " does not match " + tokens
                    + " tokens per text (text.max-length)");
        }
        if (tokens > student.maxPositions()) {
            throw new IllegalArgumentException(s.dataset() + ": texts of " + tokens + " tokens exceed the student's "
                    + student.maxPositions() + " positions (max_position_embeddings)");
        }
        Object teacherVocab =
                md.teacher().model() == null ? null : md.teacher().model().get("vocab_size");
        if (teacherVocab instanceof Number v && v.intValue() > student.vocabSize()) {
            throw new IllegalArgumentException(s.dataset() + ": the teacher's vocabulary has " + v
                    + " ids but the student's vocab_size is " + student.vocabSize());
        }
        int targetDim = Math.toIntExact(shape.get(1));
        int topK = s.topK() == 0 ? student.numLayers() : s.topK();
        TextTargetRecipe recipe = new TextTargetRecipe(
                TargetTensor.valueOf(md.target().tensor().toUpperCase(Locale.ROOT)),
                topK,
                md.target().eps(),
                md.text().layerNormTargets());
        DatasetCompatibility.checkTextLosses(s.dataset(), md, losses.losses(), student, tokens);
        StudentObjective objective = TrainObjective.resolve(s.dataset(), md, losses, new long[] {tokens, targetDim});
        long rows = dataset.rows().count();
        if (rows == 0) {
            throw new IllegalArgumentException(s.dataset() + ": the feature dataset has no rows to train on");
        }
        TextRowBatcher batcher = new TextRowBatcher(
                tokens, labelColumns(objective, md), s.averaging().batchSizePerWorker());
        JavaRDD<MultiDataSet> batches = dataset.rows()
                .select(FeatureColumns.KEY, batcher.columnsToRead())
                .javaRDD()
                .mapPartitions(batcher);
        ComputationGraph fresh =
                TextStudentGraph.create(student, tokens, recipe, targetDim, objective, s.optimization());
        LOG.info(
                "train (text): {} rows of {}, student {}, {} tokens, target {} x {} ({} top-{}), losses {}",
                rows,
                s.dataset(),
                student,
                tokens,
                tokens,
                targetDim,
                recipe.tensor(),
                topK,
                losses.describe());
        RunRecord.Data data =
                RunRecord.Data.of(dataset, QualifiedPaths.of(s.section() + ".dataset", s.dataset(), conf));
        Outcome outcome = TrainingLoop.run(
                spark,
                s,
                fresh,
                net -> initialise(s, student, net, conf),
                s.dataset(),
                data,
                batches,
                1,
                resume,
                "train");
        TrainingState end = outcome.end();
        Path studentDir = outcome.run().finish(end.iteration(), () -> export(outcome, student, topK, losses));
        TrainSummary summary = TrainSummary.of(outcome, studentDir);
        LOG.info("train summary: {}", summary);
        return summary;
    }

    /**
     * Per graph output (the objective's order), the teacher column its labels start with; the mask follows it (see
     * {@link TextRowBatcher}).
     */
    static List<PackedColumn> labelColumns(StudentObjective objective, FeatureMetadata md) {
        List<PackedColumn> columns = new ArrayList<>();
        for (StudentObjective.Output out : objective.outputs()) {
            String dtype = out.teacherColumn().equals(FeatureColumns.TARGET)
                    ? md.target().dtype()
                    : md.column(out.teacherColumn()).dtype();
            columns.add(new PackedColumn(out.teacherColumn(), TensorDType.fromId(dtype), out.teacherWidth()));
        }
        return columns;
    }

    /** Settings that only mean something for images, refused in one line each. */
    private static void refuseImageSettings(
            TrainSettings s, LossSettings losses, StudentMasking masking, Configuration conf) {
        String what = s.dataset() + " is a text feature dataset: ";
        if (masking != null) {
            throw new IllegalArgumentException(what + s.section() + ".student.mask applies to image students only;"
                    + " set student.mask.enabled = false");
        }
        for (LossSpec spec : losses.losses()) {
            if (!TEXT_LOSSES.contains(spec.group())) {
                throw new IllegalArgumentException(what + spec.label() + ": a text student trains with d2v, hidden"
                        + " and attention losses only (logit and feature losses need teacher logits or pooled"
                        + " features, which a text dataset does not store)");
            }
        }
        if (!s.initBlocks().isEmpty()) {
            throw new IllegalArgumentException(what + s.section() + ".student.init-blocks applies to image students;"
                    + " a text student inherits " + s.section() + "." + INIT_LAYERS);
        }
        if (s.initHead()) {
            throw new IllegalArgumentException(what + s.section() + ".student.init-head applies to image students");
        }
        if (!textStudent(s, conf)) {
            throw new IllegalArgumentException(what + s.section() + ".student.model must be a BERT config.json"
                    + " (model_type \"bert\") or a BERT preset "
                    + BertConfig.presets().keySet() + ", got "
                    + s.studentModel());
        }
    }

    /** The student's BERT config, {@code student.depth} layers when set. */
    static BertConfig config(TrainSettings s, Configuration conf) {
        BertConfig base;
        if (BertConfig.presets().containsKey(s.studentModel())) {
            base = BertConfig.presets().get(s.studentModel());
        } else {
            try {
                base = BertConfig.fromJson(ModelFiles.localCopy(s.studentModel(), conf));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(
                        s.section() + ".student.model " + s.studentModel() + ": " + e.getMessage(), e);
            }
        }
        return s.studentDepth() > 0 ? withLayers(base, s.studentDepth()) : base;
    }

    private static BertConfig withLayers(BertConfig c, int layers) {
        return new BertConfig(
                c.vocabSize(),
                c.hiddenSize(),
                layers,
                c.numHeads(),
                c.intermediateSize(),
                c.maxPositions(),
                c.typeVocabSize(),
                c.layerNormEps());
    }

    /** Copies the init checkpoint's layers {@code student.init-layers} (default 0..depth-1) into the student. */
    static void initialise(TrainSettings s, BertConfig student, ComputationGraph training, Configuration conf) {
        if (s.initCheckpoint() == null) {
            LOG.info(
                    "text student {} starts from random weights (seed {})",
                    student,
                    s.optimization().seed());
            return;
        }
        List<Integer> configured = s.source().getIntList(INIT_LAYERS);
        int[] layers = configured.isEmpty()
                ? IntStream.range(0, student.numLayers()).toArray()
                : configured.stream().mapToInt(Integer::intValue).toArray();
        if (layers.length != student.numLayers()) {
            throw new IllegalArgumentException(s.section() + "." + INIT_LAYERS + " lists " + layers.length
                    + " layers but the student has " + student.numLayers());
        }
        java.nio.file.Path local;
        int sourceLayers;
        try {
            local = ModelFiles.localCopy(s.initCheckpoint(), conf);
            sourceLayers = checkpointLayers(local);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(
                    s.section() + ".student.init-checkpoint " + s.initCheckpoint() + ": " + e.getMessage(), e);
        }
        for (int layer : layers) {
            if (layer < 0 || layer >= sourceLayers) {
                throw new IllegalArgumentException(s.section() + "." + INIT_LAYERS + ": layer " + layer + " is not a"
                        + " layer of " + s.initCheckpoint() + " (0.." + (sourceLayers - 1) + ")");
            }
        }
        TextWeights.load(training, withLayers(student, sourceLayers), local, layers);
        LOG.info(
                "text student initialised from layers {} of {}", java.util.Arrays.toString(layers), s.initCheckpoint());
    }

    /** Layers in a BERT checkpoint: one more than the highest {@code encoder.layer.N}. */
    static int checkpointLayers(java.nio.file.Path checkpoint) throws IOException {
        int layers = 0;
        try (SafetensorsFile file = SafetensorsFile.open(checkpoint)) {
            for (String name : file.names()) {
                Matcher m = LAYER.matcher(name);
                if (m.find()) {
                    layers = Math.max(layers, Integer.parseInt(m.group(1)) + 1);
                }
            }
        }
        if (layers == 0) {
            throw new IllegalArgumentException(checkpoint + ": no encoder.layer.N tensors; not a BERT checkpoint");
        }
        return layers;
    }

    /** A Hugging Face BERT config.json of {@code c}, which {@link BertConfig#fromJson} and transformers read. */
    static Map<String, Object> configJson(BertConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architectures", List.of("BertModel"));
        m.put("model_type", "bert");
        m.put("vocab_size", c.vocabSize());
        m.put("hidden_size", c.hiddenSize());
        m.put("num_hidden_layers", c.numLayers());
        m.put("num_attention_heads", c.numHeads());
        m.put("intermediate_size", c.intermediateSize());
        m.put("max_position_embeddings", c.maxPositions());
        m.put("type_vocab_size", c.typeVocabSize());
        m.put("layer_norm_eps", c.layerNormEps());
        m.put("hidden_act", "gelu");
        m.put("position_embedding_type", "absolute");
        return m;
    }

    private static Path export(Outcome outcome, BertConfig student, int topK, LossSettings losses) throws IOException {
        TrainingState end = outcome.end();
        FileSystem fs = outcome.fs();
        Path runDir = outcome.runDir();
        Path target = new Path(runDir, RunOutputs.STUDENT);
        if (end.iteration() == outcome.startIteration()
                && ModelFolder.complete(fs, runDir, RunOutputs.STUDENT, SAFETENSORS)) {
            LOG.info("train: {} already holds the export of iteration {}; left as it is", target, end.iteration());
            return target;
        }
        Map<String, String> metadata = ExportMetadata.of(outcome.run().record(), end.iteration());
        metadata.put(ExportMetadata.PREFIX + "student.top-k", String.valueOf(topK));
        if (!losses.isDefault()) {
            // only when set: a d2v-only run's export stays what it was before the TinyBERT losses
            metadata.put(ExportMetadata.PREFIX + "losses", losses.describe());
        }
        ComputationGraph training = outcome.network();
        Path tmp = new Path(runDir, "_tmp-" + RunOutputs.STUDENT + "-" + System.nanoTime());
        fs.mkdirs(tmp);
        try (OutputStream out = fs.create(new Path(tmp, ModelFolder.MODEL), false)) {
            ModelSerializer.writeModel(training, out, true);
        }
        java.nio.file.Path local = Files.createTempDirectory("distillery-export");
        try {
            Map<String, String> fileMetadata = new LinkedHashMap<>(metadata);
            fileMetadata.put("format", "pt");
            SafetensorsWriter weights = new SafetensorsWriter();
            TextWeights.export(training).forEach((name, tensor) -> weights.addArray(name, tensor, DType.F32));
            weights.metadata(fileMetadata).write(local.resolve(SAFETENSORS));
            fs.copyFromLocalFile(new Path(local.resolve(SAFETENSORS).toUri()), new Path(tmp, SAFETENSORS));
            // no head without d2v (the hidden losses' projections stay in model.zip: TinyBERT's W_h is for training)
            boolean d2v = training.getConfiguration().getVertices().containsKey(TextStudentGraph.HEAD);
            org.deeplearning4j.nn.api.Layer head = d2v ? training.getLayer(TextStudentGraph.HEAD) : null;
            INDArray w = head == null ? null : head.getParam(StudentTargetHead.PROJECTION_WEIGHT);
            if (w != null) {
                SafetensorsWriter projection = new SafetensorsWriter();
                projection.addArray("distill_proj.weight", w, DType.F32);
                INDArray b = head.getParam(StudentTargetHead.PROJECTION_BIAS);
                projection.addArray("distill_proj.bias", b.reshape(b.length()), DType.F32);
                projection.metadata(Map.of("format", "pt")).write(local.resolve(PROJECTION));
                fs.copyFromLocalFile(new Path(local.resolve(PROJECTION).toUri()), new Path(tmp, PROJECTION));
            }
        } finally {
            try (var files = Files.walk(local)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
        try (OutputStream out = fs.create(new Path(tmp, ModelFolder.CONFIG), false)) {
            new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out, configJson(student));
        }
        AtomicHadoopFiles.replaceFolder(fs, tmp, target);
        return target;
    }
}
