package io.distillery.extract;

import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureMetadata;
import io.distillery.features.TensorDType;
import io.distillery.features.TensorPacking;
import io.distillery.features.TopKLogits;
import java.util.List;

/**
 * The classifier logits as the dataset stores them: all C in {@code logits}, or ({@code store.logits-top-k = K})
 * the K largest per view with their class indices and the log-sum-exp of the rest, which is what a reader needs to
 * rebuild the full softmax's mass ({@link TopKLogits}).
 */
final class LogitColumns {
    private static final String KEY = ExtractSettings.SECTION + ".store.logits-top-k";

    private LogitColumns() {}

    /** Checks K against the teacher's {@code classes}, adds the logit columns and says which they are. */
    static FeatureMetadata.Logits describe(
            int topK, int classes, String dtype, List<FeatureMetadata.TensorColumn> columns) {
        if (topK == ExtractSettings.Store.ALL_LOGITS) {
            columns.add(new FeatureMetadata.TensorColumn(
                    FeatureColumns.LOGITS, dtype, List.of((long) classes), "C order", "classifier logits"));
            return new FeatureMetadata.Logits(classes, FeatureMetadata.Logits.ALL, List.of(FeatureColumns.LOGITS));
        }
        if (topK < 0 || topK >= classes) {
            throw new IllegalArgumentException(KEY + " must be within 1.." + (classes - 1)
                    + " (or 0 = all) for this teacher's " + classes + " classes, got " + topK);
        }
        columns.add(new FeatureMetadata.TensorColumn(
                FeatureColumns.LOGITS_TOPK_INDEX,
                TensorPacking.INT32,
                List.of((long) topK),
                "C order",
                "class indices of the " + topK + " largest logits, by logit descending (ties: lower index first)"));
        columns.add(new FeatureMetadata.TensorColumn(
                FeatureColumns.LOGITS_TOPK_VALUE,
                dtype,
                List.of((long) topK),
                "C order",
                "the " + topK + " largest logits, in logits_topk_index's order"));
        columns.add(new FeatureMetadata.TensorColumn(
                FeatureColumns.LOGITS_TOPK_REST,
                dtype,
                List.of(1L),
                "C order",
                "log(sum(exp(z_j))) over the other " + (classes - topK) + " classes"));
        return new FeatureMetadata.Logits(
                classes,
                topK,
                List.of(
                        FeatureColumns.LOGITS_TOPK_INDEX,
                        FeatureColumns.LOGITS_TOPK_VALUE,
                        FeatureColumns.LOGITS_TOPK_REST));
    }

    /**
     * Puts the columns for {@code logits} ([views * classes], C order) into {@code out}. The top-k are chosen on the
     * logits as rounded to {@code dtype}, so the stored order is exactly the order of the stored values (two logits
     * that round to the same value keep the lower class first) and agrees with a full-logits dataset of the same
     * views.
     */
    static void put(float[] logits, int views, int classes, int topK, TensorDType dtype, BatchTensors out) {
        if (topK == ExtractSettings.Store.ALL_LOGITS) {
            out.floats().put(FeatureColumns.LOGITS, logits);
            return;
        }
        float[] rounded = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            rounded[i] = TensorPacking.round(logits[i], dtype);
        }
        int[] index = new int[views * topK];
        float[] value = new float[views * topK];
        float[] rest = new float[views];
        for (int v = 0; v < views; v++) {
            rest[v] = TopKLogits.select(rounded, v * classes, classes, topK, index, value, v * topK);
        }
        out.ints().put(FeatureColumns.LOGITS_TOPK_INDEX, index);
        out.floats().put(FeatureColumns.LOGITS_TOPK_VALUE, value);
        out.floats().put(FeatureColumns.LOGITS_TOPK_REST, rest);
    }
}
