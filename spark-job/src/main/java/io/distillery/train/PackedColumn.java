package io.distillery.train;

import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureFormatException;
import io.distillery.features.TensorDType;
import io.distillery.features.TensorPacking;
import io.distillery.numerics.FiniteValues;
import java.util.List;
import org.apache.spark.sql.Row;

/** A packed tensor column of the dataset (target, logits, pooled, cls, layer_NN), unpacked as stored. */
record PackedColumn(String column, TensorDType dtype, int width) implements LabelSource {

    @Override
    public List<String> columns() {
        return List.of(column);
    }

    @Override
    public void fill(Row row, float[] out, int offset) {
        byte[] cell = cell(row, column, width * dtype.bytes());
        TensorPacking.unpack(cell, dtype, out, offset, width);
        int bad = FiniteValues.firstNonFinite(out, offset, width);
        if (bad >= 0) {
            // a poisoned dataset would otherwise surface as a "training diverged" error, blaming the learning rate
            throw new FeatureFormatException("row " + row.getAs(FeatureColumns.KEY) + " view "
                    + row.getAs(FeatureColumns.VIEW) + ": column '" + column + "' holds "
                    + FiniteValues.describe(out[offset + bad]) + " at element " + bad
                    + "; the feature dataset itself "
                    + "holds non-finite targets (extract it again with a sound teacher)");
        }
    }

    /** The row's cell of {@code column}, which must hold exactly {@code bytes} bytes; else an error naming the row. */
    static byte[] cell(Row row, String column, int bytes) {
        byte[] cell = row.getAs(column);
        if (cell == null || cell.length != bytes) {
            throw new IllegalArgumentException("row " + row.getAs(FeatureColumns.KEY) + " view "
                    + row.getAs(FeatureColumns.VIEW) + ": column '" + column + "' has "
                    + (cell == null ? "no" : cell.length) + " bytes, expected " + bytes);
        }
        return cell;
    }
}
