package io.distillery.features;

import java.util.List;
import java.util.Map;

/**
 * Everything a reader needs to interpret a feature dataset, and how it was made. Stored as JSON in
 * {@code _distillery/dataset.json} and in every Parquet footer under {@link FeatureMetadataJson#FOOTER_KEY}.
 * Field names are written in snake_case.
 *
 * @param format        always {@link FeatureMetadataJson#FORMAT}
 * @param formatVersion layout version; readers reject versions newer than they know
 * @param teacher       the model that produced the features
 * @param target        the contextualized-target recipe and its packing
 * @param tensorColumns every packed tensor column (target, pixels, raw layers, attention, cls, pooled, logits)
 * @param logits        which logit columns the dataset has; null when it has none, and in datasets written before
 *                      this field existed (there a {@code logits} tensor column holds all classes: see
 *                      {@link #storedLogits()})
 * @param preprocessing how the views were made
 * @param seed          job seed (views are a pure function of seed, key and view index)
 * @param input         where the images came from
 * @param versions      Distillery, DL4J, Spark, Java versions
 * @param created       ISO-8601 time the dataset was started
 * @param modality      {@link #IMAGE} or {@link #TEXT}; null in datasets written before text existed (images)
 * @param text          how texts were tokenized and their targets built; null for image datasets
 * @param captions      image datasets of captioned samples: the text teacher's part, one set of caption columns per
 *                      sample (on its view-0 row); null when the extract ran no text teacher
 */
public record FeatureMetadata(
        String format,
        int formatVersion,
        Teacher teacher,
        Target target,
        List<TensorColumn> tensorColumns,
        Logits logits,
        Preprocessing preprocessing,
        long seed,
        Input input,
        Map<String, String> versions,
        String created,
        String modality,
        Text text,
        Captions captions) {

    public static final String IMAGE = "image";
    public static final String TEXT = "text";

    /** Whether the rows are texts (token ids, attention mask and per-token targets) rather than image views. */
    public boolean textModality() {
        return TEXT.equals(modality);
    }

    /**
     * Text rows: how they were tokenized (every row padded or truncated to {@code maxLength} tokens) and how the
     * targets were built.
     *
     * @param tokenizer        the tokenizer file as given ({@code vocab.txt} or Hugging Face {@code tokenizer.json})
     * @param tokenizerSha256  of that file
     * @param lowercase        {@code vocab.txt}: whether text was lowercased; null for {@code tokenizer.json}, whose
     *                         normalizer decides
     * @param maxLength        T, the tokens per row, [CLS] and [SEP] included
     * @param layerNormTargets whether the averaged targets were layer-normalised per token
     * @param statistics       what the instance norm's statistics are taken over
     */
    public record Text(
            String tokenizer,
            String tokenizerSha256,
            Boolean lowercase,
            int maxLength,
            boolean layerNormTargets,
            String statistics) {}

    /**
     * The text teacher's targets for each sample's caption, written by an image extract that also runs a text
     * teacher. They are per sample, not per view: the caption columns are set on a sample's view-0 row and null on
     * its other views (rows of one sample are consecutive within a data file).
     *
     * @param teacher       the text (BERT) teacher
     * @param target        its target recipe; {@code column} names the caption target column
     * @param text          how the captions were tokenized
     * @param tensorColumns the caption columns (token ids, attention mask, target), nullable in the schema
     */
    public record Captions(Teacher teacher, Target target, Text text, List<TensorColumn> tensorColumns) {
        /** The one view whose rows hold the caption columns. */
        public static final int VIEW = 0;
    }

    /** @param model config in the fixtures' config.json vocabulary */
    public record Teacher(String preset, Map<String, Object> model, String checkpoint, String checkpointSha256) {}

    /** @param shape [T, D] of one row's target */
    public record Target(
            String tensor, String tokens, int topK, double eps, String dtype, List<Long> shape, String column) {}

    /** @param layout e.g. "C order", "HWC RGB" */
    public record TensorColumn(String name, String dtype, List<Long> shape, String layout, String description) {}

    /**
     * The teacher's classifier logits as stored.
     *
     * @param classes C, the teacher's number of classes
     * @param topK    K logits per view (columns {@code logits_topk_index}, {@code logits_topk_value},
     *                {@code logits_topk_rest}), or {@link #ALL} (column {@code logits}, all C)
     * @param columns the logit columns, in the order of {@code tensor_columns}
     */
    public record Logits(int classes, int topK, List<String> columns) {
        /** topK value meaning "all C logits in one column". */
        public static final int ALL = 0;

        public boolean topKOnly() {
            return topK != ALL;
        }
    }

    public record Preprocessing(
            int imgSize,
            List<Double> mean,
            List<Double> std,
            double evalCropPct,
            int randomViews,
            List<Double> scale,
            List<Double> ratio,
            boolean hflip,
            String interpolation,
            String viewSeeding) {}

    public record Input(String format, String path, List<String> classNames) {}

    /**
     * The logit columns, also for datasets written before {@link #logits} was recorded: there a {@code logits}
     * tensor column means all classes. Empty when the dataset has no logits.
     */
    public java.util.Optional<Logits> storedLogits() {
        if (logits != null) {
            return java.util.Optional.of(logits);
        }
        return tensorColumns.stream()
                .filter(c -> c.name().equals(FeatureColumns.LOGITS))
                .findFirst()
                .map(c -> new Logits(c.shape().get(0).intValue(), Logits.ALL, List.of(FeatureColumns.LOGITS)));
    }

    public TensorColumn column(String name) {
        return tensorColumns.stream()
                .filter(c -> c.name().equals(name))
                .findFirst()
                .orElseThrow(
                        () -> new IllegalArgumentException("feature dataset has no tensor column '" + name + "' (has "
                                + tensorColumns.stream().map(TensorColumn::name).toList() + ")"));
    }
}
