package io.distillery.train;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.distillery.dataset.CaptionPairs;
import io.distillery.dataset.FeatureDataset;
import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureMetadata;
import io.distillery.features.TensorDType;
import io.distillery.model.ModelConfig;
import io.distillery.student.ImageTextKdLoss;
import io.distillery.student.ImageTextKdTerm;
import io.distillery.student.ImageTextStudentConfig;
import io.distillery.student.ImageTextStudentGraph;
import io.distillery.text.ClipTokenizer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code distillery train} of a multimodal student on a CLIP teacher's dataset (extract with {@code teacher.kind =
 * open-clip}): CLIP-KD. The student's encoders are those of {@link ImageTextStudentGraph} (captions as CLIP BPE ids,
 * masked through end-of-text), trained on a weighted sum of image–text losses ({@code student.multimodal.losses},
 * e.g. {@code [{type = clip}, {type = fd, weight = 2000}]}) against the teacher's cached image embedding of each view
 * and text embedding of its caption; the terms' own parameters (ICL's and AFD's scales, AFD's fusion layers) train
 * with it. Exports {@code student/model.zip} and {@code student/multimodal.json} like the data2vec multimodal student.
 */
final class ClipKdTrainJob {
    private static final Logger LOG = LoggerFactory.getLogger(ClipKdTrainJob.class);
    static final String LOSSES = ImageTextTrainJob.SECTION + ".losses";

    private ClipKdTrainJob() {}

    /** Whether {@code md} describes a CLIP teacher's dataset (image embeddings per view, caption embeddings). */
    static boolean isClipCache(FeatureMetadata md) {
        return !md.textModality()
                && md.captions() != null
                && FeatureColumns.IMAGE_EMBEDDING.equals(md.target().column());
    }

    static TrainSummary run(
            SparkSession spark, TrainSettings s, LossSettings losses, boolean resume, FeatureDataset dataset)
            throws IOException {
        var conf = spark.sparkContext().hadoopConfiguration();
        FeatureMetadata md = dataset.metadata();
        String what = s.dataset() + " (a CLIP teacher's dataset): ";
        if (!losses.isDefault()) {
            throw new IllegalArgumentException(what + "a CLIP-KD student takes its terms from " + s.section() + "."
                    + LOSSES + "; leave " + s.section() + ".losses unset");
        }
        Config c = s.source().getConfig(ImageTextTrainJob.SECTION);
        List<ImageTextKdTerm> terms = terms(c, s.section() + "." + LOSSES, what);
        Map<String, Object> teacherModel = md.teacher().model();
        int teacherDim = Math.toIntExact(md.target().shape().get(0));
        int embedDim = c.getInt("embed-dim");
        if (embedDim != teacherDim) {
            throw new IllegalArgumentException(what + s.section() + "." + ImageTextTrainJob.SECTION + ".embed-dim is "
                    + embedDim + " but the teacher's embeddings are " + teacherDim + " wide; CLIP-KD's losses compare"
                    + " them directly, so set embed-dim = " + teacherDim);
        }
        double teacherScale = number(teacherModel.get("logit_scale"), what + "the teacher's metadata logit_scale");
        Object textCfg = teacherModel.get("text_cfg");
        int vocab = (int) number(
                textCfg instanceof Map<?, ?> m ? m.get("vocab_size") : null,
                what + "the teacher's metadata text_cfg.vocab_size");
        FeatureMetadata.Captions captions = md.captions();
        int textTokens = captions.text().maxLength();
        ModelConfig image = StudentFactory.config(s, conf);
        // the data2vec weights have no meaning here: the objective is the terms' (a CLIP-KD graph has no d2v heads)
        ImageTextStudentConfig config = new ImageTextStudentConfig(
                image, vocab, textTokens, 2, textTokens, c.getInt("top-blocks"), embedDim, 0, 0, 1);
        ImageTextKdLoss loss;
        try {
            loss = new ImageTextKdLoss(embedDim, teacherDim, teacherScale, terms);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + s.section() + "." + LOSSES + ": " + e.getMessage(), e);
        }
        ComputationGraph fresh = ImageTextStudentGraph.createKd(config, loss, s.optimization(), DataType.FLOAT);

        long rows = dataset.rows().count();
        if (rows == 0) {
            throw new IllegalArgumentException(what + "the feature dataset has no rows to train on");
        }
        ClipKdRowBatcher batcher = new ClipKdRowBatcher(new ClipKdRowBatcher.Spec(
                image.imgSize(),
                image.imageMean(),
                image.imageStd(),
                teacherDim,
                TensorDType.fromId(md.target().dtype()),
                textTokens,
                s.averaging().batchSizePerWorker(),
                loss.masks(image.gridSize()),
                s.optimization().seed()));
        JavaRDD<MultiDataSet> batches = CaptionPairs.attach(dataset.rows(), captions)
                .select(
                        ClipKdRowBatcher.COLUMNS[0],
                        Arrays.copyOfRange(ClipKdRowBatcher.COLUMNS, 1, ClipKdRowBatcher.COLUMNS.length))
                .javaRDD()
                .mapPartitions(batcher);
        LOG.info(
                "train (CLIP-KD): {} rows of {}, student {} + text ({} tokens, vocabulary {}), {} shared + {} own"
                        + " blocks, embed {}, teacher logit scale {}, objective {}",
                rows,
                s.dataset(),
                image,
                textTokens,
                vocab,
                config.sharedBlocks(),
                config.topBlocks(),
                embedDim,
                teacherScale,
                terms);
        if (loss.maskRatio() > 0) {
            LOG.info(
                    "train (CLIP-KD): mfd masks {} of each view's patches: the student's blocks see {} of {}",
                    loss.maskRatio(),
                    loss.masks(image.gridSize()).keptCount(),
                    image.numPatches());
        }
        long seed = s.optimization().seed();
        return ImageTextTrainJob.trainAndExport(
                spark,
                s,
                config,
                fresh,
                dataset,
                batches,
                resume,
                net -> ImageTextStudentGraph.wholeImage(net, config, loss, seed),
                fields(captions.text(), terms, md));
    }

    /** {@code student.multimodal.losses}: each {@code {type, weight (1), <parameters>}}; at least one. */
    static List<ImageTextKdTerm> terms(Config c, String key, String what) {
        List<? extends Config> entries = c.getConfigList("losses");
        if (entries.isEmpty()) {
            throw new IllegalArgumentException(what + key + " is empty: name the CLIP-KD terms, e.g. [{type = clip},"
                    + " {type = fd, weight = 2000}] (docs/image-text.md)");
        }
        List<ImageTextKdTerm> terms = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            Config entry = entries.get(i);
            String where = key + "[" + i + "]";
            if (!entry.hasPath("type")) {
                throw new IllegalArgumentException(what + where + " has no type");
            }
            String type = entry.getString("type");
            Map<String, Double> params = new TreeMap<>();
            for (String name : entry.root().keySet()) {
                if (!name.equals("type") && !name.equals("weight")) {
                    params.put(name, doubleAt(entry, name, what + where));
                }
            }
            double weight = entry.hasPath("weight") ? doubleAt(entry, "weight", what + where) : 1.0;
            try {
                terms.add(new ImageTextKdTerm(type, weight, params));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(what + where + ": " + e.getMessage(), e);
            }
        }
        return terms;
    }

    private static double doubleAt(Config entry, String name, String where) {
        try {
            return entry.getDouble(name);
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(
                    where + "." + name + " must be a number, got '"
                            + entry.getValue(name).unwrapped() + "'",
                    e);
        }
    }

    private static double number(Object value, String what) {
        if (!(value instanceof Number n)) {
            throw new IllegalArgumentException(what + " is missing or not a number");
        }
        return n.doubleValue();
    }

    /** The CLIP-KD student's own fields of {@code multimodal.json}: tokenizer, objective, teacher. */
    private static Map<String, Object> fields(
            FeatureMetadata.Text tokenization, List<ImageTextKdTerm> terms, FeatureMetadata md) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("tokenizer_kind", ImageTextTrainJob.TOKENIZER_CLIP_BPE);
        fields.put(
                "tokenizer",
                ClipTokenizer.BUNDLED_NAME.equals(tokenization.tokenizer()) ? null : tokenization.tokenizer());
        fields.put("tokenizer_sha256", tokenization.tokenizerSha256());
        List<Map<String, Object>> objective = new ArrayList<>();
        for (ImageTextKdTerm t : terms) {
            Map<String, Object> term = new LinkedHashMap<>();
            term.put("type", t.type());
            term.put("weight", t.weight());
            term.putAll(new TreeMap<>(t.params()));
            objective.add(term);
        }
        fields.put("losses", objective);
        fields.put(
                "teacher",
                Map.of(
                        "checkpoint", String.valueOf(md.teacher().checkpoint()),
                        "checkpoint_sha256", String.valueOf(md.teacher().checkpointSha256())));
        return fields;
    }
}
