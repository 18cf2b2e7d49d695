package io.distillery.dataset;

import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureMetadata;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Pairs every view row of a captioned image dataset with its sample's caption columns, which the extract writes on
 * the sample's view-0 row only ({@link FeatureMetadata.Captions}): the result has one row per (sample, view) with
 * the caption columns filled, so an image–text student sees each view with its caption. A left join on the key: a
 * view whose sample has no view-0 row, or a view-0 row without caption columns (a dataset that is not what its
 * metadata says), keeps null caption cells, which {@link #requireCaption} turns into an error naming the row.
 */
public final class CaptionPairs {
    private static final String KEY = "caption_pair_key";

    private CaptionPairs() {}

    /** {@code rows} with each sample's caption columns on all of its views. */
    public static Dataset<Row> attach(Dataset<Row> rows, FeatureMetadata.Captions captions) {
        List<String> names = captions.tensorColumns().stream()
                .map(FeatureMetadata.TensorColumn::name)
                .toList();
        List<Column> captionSide = new ArrayList<>();
        captionSide.add(functions.col(FeatureColumns.KEY).as(KEY));
        names.forEach(n -> captionSide.add(functions.col(n)));
        Dataset<Row> perSample = rows.filter(functions.col(FeatureColumns.VIEW).equalTo(FeatureMetadata.Captions.VIEW))
                .select(captionSide.toArray(Column[]::new));
        Dataset<Row> views = rows.drop(names.toArray(String[]::new));
        return views.join(perSample, views.col(FeatureColumns.KEY).equalTo(perSample.col(KEY)), "left")
                .drop(KEY);
    }

    /** The caption cell {@code column} of a paired row; an absent one is an error naming the row. */
    public static byte[] requireCaption(Row row, String column) {
        byte[] cell = row.getAs(column);
        if (cell == null) {
            throw new IllegalArgumentException("row " + row.getAs(FeatureColumns.KEY) + " view "
                    + row.getAs(FeatureColumns.VIEW) + ": no " + column + " for its sample (the dataset has no view-0"
                    + " row with caption columns for this key: not a complete captioned extract)");
        }
        return cell;
    }
}
