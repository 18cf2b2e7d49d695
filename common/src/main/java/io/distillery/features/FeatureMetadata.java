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
 * @param tensorColumns every packed tensor column (target, pixels, raw layers, cls, pooled, logits)
 * @param preprocessing how the views were made
 * @param seed          job seed (views are a pure function of seed, key and view index)
 * @param input         where the images came from
 * @param versions      Distillery, DL4J, Spark, Java versions
 * @param created       ISO-8601 time the dataset was started
 */
public record FeatureMetadata(
        String format,
        int formatVersion,
        Teacher teacher,
        Target target,
        List<TensorColumn> tensorColumns,
        Preprocessing preprocessing,
        long seed,
        Input input,
        Map<String, String> versions,
        String created) {

    /** @param model config in the fixtures' config.json vocabulary */
    public record Teacher(String preset, Map<String, Object> model, String checkpoint, String checkpointSha256) {}

    /** @param shape [T, D] of one row's target */
    public record Target(
            String tensor, String tokens, int topK, double eps, String dtype, List<Long> shape, String column) {}

    /** @param layout e.g. "C order", "HWC RGB" */
    public record TensorColumn(String name, String dtype, List<Long> shape, String layout, String description) {}

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

    public TensorColumn column(String name) {
        return tensorColumns.stream()
                .filter(c -> c.name().equals(name))
                .findFirst()
                .orElseThrow(
                        () -> new IllegalArgumentException("feature dataset has no tensor column '" + name + "' (has "
                                + tensorColumns.stream().map(TensorColumn::name).toList() + ")"));
    }
}
