package io.distillery.train;

import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureFormatException;
import io.distillery.features.TensorDType;
import io.distillery.features.TensorPacking;
import io.distillery.features.TopKLogits;
import io.distillery.numerics.FiniteValues;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * Teacher logits rebuilt from a dataset's top-k columns ({@code store.logits-top-k = K}): the K stored logits at
 * their classes and the FKD marginal-smoothing fill elsewhere ({@link TopKLogits#filledLogits}), so that every
 * logit loss sees the distribution FKD trains on. Logit standardisation (lskd) then standardises these filled
 * logits, not the teacher's unseen full ones.
 */
record TopKLogitsColumns(int classes, int k, TensorDType dtype) implements LabelSource {

    @Override
    public int width() {
        return classes;
    }

    @Override
    public List<String> columns() {
        return List.of(
                FeatureColumns.LOGITS_TOPK_INDEX, FeatureColumns.LOGITS_TOPK_VALUE, FeatureColumns.LOGITS_TOPK_REST);
    }

    @Override
    public void fill(Row row, float[] out, int offset) {
        String where = "row " + row.getAs(FeatureColumns.KEY) + " view " + row.getAs(FeatureColumns.VIEW);
        int[] index = TensorPacking.unpackInts(PackedColumn.cell(row, FeatureColumns.LOGITS_TOPK_INDEX, k * 4));
        float[] value = TensorPacking.unpack(
                PackedColumn.cell(row, FeatureColumns.LOGITS_TOPK_VALUE, k * dtype.bytes()), dtype);
        float[] rest =
                TensorPacking.unpack(PackedColumn.cell(row, FeatureColumns.LOGITS_TOPK_REST, dtype.bytes()), dtype);
        int bad = FiniteValues.firstNonFinite(value, 0, k);
        if (bad >= 0 || (k < classes && !Float.isFinite(rest[0]))) {
            throw new FeatureFormatException(where + ": column '"
                    + (bad >= 0 ? FeatureColumns.LOGITS_TOPK_VALUE : FeatureColumns.LOGITS_TOPK_REST)
                    + "' holds " + FiniteValues.describe(bad >= 0 ? value[bad] : rest[0])
                    + "; the feature dataset itself holds non-finite teacher logits");
        }
        try {
            TopKLogits.filledLogits(index, value, rest[0], classes, out, offset);
        } catch (IllegalArgumentException e) {
            throw new FeatureFormatException(
                    where + ": column '" + FeatureColumns.LOGITS_TOPK_INDEX + "': " + e.getMessage());
        }
    }
}
