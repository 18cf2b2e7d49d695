package io.distillery.train;

import io.distillery.features.FeatureColumns;
import io.distillery.losses.CrossEntropyLoss;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * An integer class column written one-hot over {@code classes} columns, or label-smoothed: (1 - ε)·one-hot + ε/classes,
 * the target under which a softmax cross-entropy output layer trains {@code F.cross_entropy(label_smoothing=ε)}.
 *
 * @param who       what needs the labels, for the message about an unlabelled row ({@code finetune}, a loss)
 * @param smoothing ε in [0, 1); 0 writes plain one-hot rows
 */
record ClassColumn(String column, int classes, String who, double smoothing) implements LabelSource {

    ClassColumn {
        CrossEntropyLoss.checkedSmoothing(smoothing, who + ": label-smoothing");
    }

    /** Plain one-hot rows. */
    ClassColumn(String column, int classes, String who) {
        this(column, classes, who, 0);
    }

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
        CrossEntropyLoss.smoothedTarget(cls, classes, smoothing, out, offset);
    }
}
