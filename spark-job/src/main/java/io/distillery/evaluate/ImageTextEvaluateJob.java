package io.distillery.evaluate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.distillery.dataset.LabelledImages;
import io.distillery.dataset.ViewSettings;
import io.distillery.eval.ImageTextRetrieval;
import io.distillery.eval.PromptTemplates;
import io.distillery.eval.RetrievalMetrics;
import io.distillery.eval.RetrievalRanks;
import io.distillery.eval.ZeroShotAccuracy;
import io.distillery.eval.ZeroShotClassifier;
import io.distillery.features.FeatureColumns;
import io.distillery.image.DecodeLimits;
import io.distillery.spark.ModelFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code distillery evaluate} with {@code modality = image-text}: for each CLIP-style model (an open_clip model, or
 * a multimodal student's train run), the normalised
 * embeddings of the test images' eval views and of their captions (on the executors, {@link ClipEmbedding}), then
 * zero-shot classification from class-name prompts (open_clip's recipe, {@link ZeroShotClassifier}) and
 * image-caption retrieval (caption i describes image i, {@link ImageTextRetrieval}); writes report.md and report.json.
 */
public final class ImageTextEvaluateJob {
    private static final Logger LOG = LoggerFactory.getLogger(ImageTextEvaluateJob.class);
    private static final int[] RECALL_AT = {1, 5, 10};

    /** One model's scores; {@code zeroShot} or {@code retrieval} null when not measured. */
    public record ModelScores(
            String name,
            String kind,
            String checkpoint,
            ZeroShotAccuracy zeroShot,
            RetrievalMetrics retrieval,
            int images,
            int captions) {}

    /** What was written. */
    public record Outcome(List<ModelScores> scores, Path markdown, Path json) {}

    private ImageTextEvaluateJob() {}

    /** Runs holding {@code <out>/writer.lock}: one evaluate per output folder at a time. */
    public static Outcome run(SparkSession spark, ImageTextEvaluateSettings s) throws IOException {
        Path out = Files.createDirectories(Path.of(s.out()).toAbsolutePath());
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        try (var lock = io.distillery.locks.WriterLock.acquire(
                new org.apache.hadoop.fs.Path(out.resolve("writer.lock").toUri()), out.toString(), "evaluate", conf)) {
            List<String> classNames =
                    s.classNames() == null ? null : lines(s.classNames(), "zero-shot.class-names", conf);
            PromptTemplates templates = s.templates() == null
                    ? null
                    : PromptTemplates.of(lines(s.templates(), "zero-shot.templates", conf));
            List<ModelScores> scores = new ArrayList<>();
            for (ModelSpec spec : s.models()) {
                scores.add(evaluate(spark, s, spec, classNames, templates));
            }
            Path json = out.resolve("report.json");
            Path markdown = out.resolve("report.md");
            writeJson(json, s, scores);
            Files.writeString(markdown, markdown(s, scores, classNames, templates), StandardCharsets.UTF_8);
            return new Outcome(scores, markdown, json);
        }
    }

    private static ModelScores evaluate(
            SparkSession spark,
            ImageTextEvaluateSettings s,
            ModelSpec spec,
            List<String> classNames,
            PromptTemplates templates) {
        if (spec.runDir() == null && (spec.model() == null || spec.checkpoint() == null)) {
            throw new IllegalArgumentException(EvaluateSettings.SECTION + ".models." + spec.name()
                    + ": modality = image-text needs model (an open_clip config JSON) and checkpoint, or run-dir (a"
                    + " multimodal student's train run)");
        }
        long start = System.nanoTime();
        spark.sparkContext().setJobGroup("distillery-evaluate", "evaluate " + spec.name(), false);
        ImageTextModel model = ImageTextModel.load(spec, s.tokenizer());
        LabelledImages.Views views =
                new LabelledImages.Views(model.imageSize(), ViewSettings.evalOnly(1.0), DecodeLimits.defaults(), 0);
        Dataset<Row> test;
        try {
            test = LabelledImages.load(spark, s.testImages(), views).rows();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (s.maxTest() > 0) {
            test = test.orderBy(FeatureColumns.KEY).limit(s.maxTest());
        }
        List<ClipEmbedding.Embedded> embedded = new ArrayList<>(test.toJavaRDD()
                .mapPartitions(new ClipEmbedding(spec, s.tokenizer(), s.batchSize()))
                .collect());
        embedded.sort(Comparator.comparing(ClipEmbedding.Embedded::key));

        ZeroShotAccuracy zeroShot = null;
        if (classNames != null) {
            List<ClipEmbedding.Embedded> labelled =
                    embedded.stream().filter(e -> e.label() != null).toList();
            if (labelled.isEmpty()) {
                throw new IllegalArgumentException(EvaluateSettings.SECTION + ".test-images "
                        + s.testImages().path()
                        + " has no labelled image: zero-shot needs labels (.cls / label column)");
            }
            ZeroShotClassifier classifier = ZeroShotClassifier.fromTemplateEmbeddings(
                    promptEmbeddings(model, classNames, templates, s.batchSize()));
            zeroShot = classifier.accuracy(
                    matrix(labelled.stream().map(ClipEmbedding.Embedded::image).toList()),
                    labelled.stream().mapToInt(ClipEmbedding.Embedded::label).toArray());
        }
        RetrievalMetrics retrieval = null;
        int captioned = (int) embedded.stream().filter(e -> e.caption() != null).count();
        if (s.retrieval()) {
            List<ClipEmbedding.Embedded> pairs =
                    embedded.stream().filter(e -> e.caption() != null).toList();
            if (pairs.isEmpty()) {
                throw new IllegalArgumentException(EvaluateSettings.SECTION + ".test-images "
                        + s.testImages().path()
                        + " has no captioned image: retrieval needs captions (WebDataset .txt, Parquet caption"
                        + " column); or set retrieval = false");
            }
            retrieval = ImageTextRetrieval.evaluatePairs(
                    matrix(pairs.stream().map(ClipEmbedding.Embedded::image).toList()),
                    matrix(pairs.stream().map(ClipEmbedding.Embedded::caption).toList()));
        }
        ModelScores scores = new ModelScores(
                spec.name(), spec.kind(), spec.checkpoint(), zeroShot, retrieval, embedded.size(), captioned);
        LOG.info(
                "{}: {} images ({} captioned){}{} in {} s",
                spec.name(),
                embedded.size(),
                captioned,
                zeroShot == null ? "" : String.format(Locale.ROOT, ", zero-shot top-1 %.2f%%", 100 * zeroShot.top1()),
                retrieval == null
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                ", image->text R@1 %.2f%%, text->image R@1 %.2f%%",
                                100 * retrieval.imageToText().recallAt(1),
                                100 * retrieval.textToImage().recallAt(1)),
                String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1e9));
        return scores;
    }

    /** The embeddings of every (class, template) prompt, [classes, templates, E]. */
    private static INDArray promptEmbeddings(
            ImageTextModel model, List<String> classNames, PromptTemplates templates, int batchSize) {
        List<String> prompts = templates.expandAll(classNames);
        List<INDArray> parts = new ArrayList<>();
        for (int from = 0; from < prompts.size(); from += batchSize) {
            int to = Math.min(prompts.size(), from + batchSize);
            parts.add(model.embedTexts(prompts.subList(from, to)));
        }
        INDArray all = Nd4j.vstack(parts.toArray(INDArray[]::new));
        return all.reshape('c', classNames.size(), templates.size(), all.size(1));
    }

    private static INDArray matrix(List<float[]> rows) {
        return Nd4j.create(rows.toArray(float[][]::new));
    }

    /** The non-blank lines of a small text file on any Hadoop filesystem. */
    private static List<String> lines(String file, String key, Configuration conf) {
        try {
            List<String> lines = Files.readAllLines(ModelFiles.localCopy(file, conf), StandardCharsets.UTF_8).stream()
                    .map(String::strip)
                    .filter(l -> !l.isEmpty())
                    .toList();
            if (lines.isEmpty()) {
                throw new IllegalArgumentException(EvaluateSettings.SECTION + "." + key + " " + file + " is empty");
            }
            return lines;
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    EvaluateSettings.SECTION + "." + key + ": cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void writeJson(Path json, ImageTextEvaluateSettings s, List<ModelScores> scores) throws IOException {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("modality", ImageTextEvaluateSettings.MODALITY);
        report.put("test_images", s.testImages().path());
        report.put("class_names", s.classNames());
        report.put("templates", s.templates());
        List<Map<String, Object>> models = new ArrayList<>();
        for (ModelScores m : scores) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", m.name());
            row.put("kind", m.kind());
            row.put("checkpoint", m.checkpoint());
            row.put("images", m.images());
            row.put("captions", m.captions());
            if (m.zeroShot() != null) {
                row.put(
                        "zero_shot",
                        Map.of(
                                "top1",
                                m.zeroShot().top1(),
                                "top5",
                                m.zeroShot().top5(),
                                "total",
                                m.zeroShot().total()));
            }
            if (m.retrieval() != null) {
                row.put("image_to_text", ranks(m.retrieval().imageToText()));
                row.put("text_to_image", ranks(m.retrieval().textToImage()));
            }
            models.add(row);
        }
        report.put("models", models);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), report);
    }

    private static Map<String, Object> ranks(RetrievalRanks r) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int k : RECALL_AT) {
            m.put("recall_at_" + k, r.recallAt(k));
        }
        m.put("mean_rank", r.meanRank());
        m.put("median_rank", r.medianRank());
        m.put("queries", r.queries());
        return m;
    }

    static String markdown(
            ImageTextEvaluateSettings s, List<ModelScores> scores, List<String> classNames, PromptTemplates templates) {
        StringBuilder b = new StringBuilder("# Image-text evaluation\n\n");
        b.append("Test images: `").append(s.testImages().path()).append("`");
        if (classNames != null) {
            b.append("; zero-shot over ")
                    .append(classNames.size())
                    .append(" classes x ")
                    .append(templates.size())
                    .append(" templates");
        }
        b.append(
                ".\n\n| model | kind | images | zero-shot top-1 | top-5 | I->T R@1 | R@5 | R@10 | T->I R@1 | R@5 | R@10 |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (ModelScores m : scores) {
            b.append("| ")
                    .append(m.name())
                    .append(" | ")
                    .append(m.kind())
                    .append(" | ")
                    .append(m.images());
            b.append(
                    m.zeroShot() == null
                            ? " | - | -"
                            : " | " + pct(m.zeroShot().top1()) + " | "
                                    + pct(m.zeroShot().top5()));
            for (RetrievalRanks r : m.retrieval() == null
                    ? new RetrievalRanks[] {null, null}
                    : new RetrievalRanks[] {
                        m.retrieval().imageToText(), m.retrieval().textToImage()
                    }) {
                for (int k : RECALL_AT) {
                    b.append(" | ").append(r == null ? "-" : pct(r.recallAt(k)));
                }
            }
            b.append(" |\n");
        }
        return b.toString();
    }

    private static String pct(double fraction) {
        return String.format(Locale.ROOT, "%.2f", 100 * fraction);
    }
}
