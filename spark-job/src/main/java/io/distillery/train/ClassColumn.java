package io.distillery.train;

import io.distillery.features.FeatureColumns;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * An integer class column written one-hot over {@code classes} columns.
 *
 * @param who what needs the labels, for the message about an unlabelled row ({@code finetune}, a loss)
 */
record ClassColumn(String column, int classes, String who) implements LabelSource {

    @Override
    public int width() {
        return classes;
    }

    @Override
    public List<String> columns() {
        return List.of(column);
    }

    @Override
    public void fill(Row row, float[] out, int offset) {
        Object label = row.getAs(column);
        if (label == null) {
            throw new IllegalArgumentException(
                    "row " + row.getAs(FeatureColumns.KEY) + " has no " + column + "; " + who + " needs labelled rows");
        }
        int cls = ((Number) label).intValue();
        if (cls < 0 || cls >= classes) {
            throw new IllegalArgumentException(
                    "row " + row.getAs(FeatureColumns.KEY) + ": label " + cls + " is outside 0.." + (classes - 1));
        }
        out[offset + cls] = 1f;
    }
}
