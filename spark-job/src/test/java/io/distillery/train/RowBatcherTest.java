package io.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureFormatException;
import io.distillery.features.TensorDType;
import io.distillery.features.TensorPacking;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/** Rows to batches: targets are unpacked as stored, and a non-finite stored target is named as the dataset's fault. */
class RowBatcherTest {
    private static final StructType SCHEMA = new StructType()
            .add(FeatureColumns.KEY, DataTypes.StringType)
            .add(FeatureColumns.VIEW, DataTypes.IntegerType)
            .add(FeatureColumns.PIXELS, DataTypes.BinaryType)
            .add(FeatureColumns.TARGET, DataTypes.BinaryType);
    private static final BatchSpec SPEC = BatchSpec.single(
            2,
            new double[] {0, 0, 0},
            new double[] {1, 1, 1},
            new PackedColumn(FeatureColumns.TARGET, TensorDType.FP16, 3),
            4);

    private static Row row(String key, float... target) {
        byte[] packed = TensorPacking.pack(target, 0, target.length, TensorDType.FP16);
        return new GenericRowWithSchema(new Object[] {key, 1, new byte[2 * 2 * 3], packed}, SCHEMA);
    }

    @Test
    void finiteTargetsBecomeTheLabels() {
        MultiDataSet batch = new RowBatcher(SPEC).toBatch(List.of(row("a", 1, 2, 3), row("b", -1, 0, 0.5f)));
        assertThat(batch.getLabels(0).reshape(6).toFloatVector()).containsExactly(1, 2, 3, -1, 0, 0.5f);
    }

    @Test
    void eachOutputGetsItsLabelsArrayWithTeacherLogitsBeforeTheOneHotClass() {
        StructType schema = SCHEMA.add(FeatureColumns.LOGITS, DataTypes.BinaryType)
                .add(FeatureColumns.LABEL, DataTypes.IntegerType);
        BatchSpec spec = new BatchSpec(
                2,
                new double[] {0, 0, 0},
                new double[] {1, 1, 1},
                List.of(
                        List.of(new PackedColumn(FeatureColumns.TARGET, TensorDType.FP16, 3)),
                        List.of(
                                new PackedColumn(FeatureColumns.LOGITS, TensorDType.FP16, 2),
                                new ClassColumn(FeatureColumns.LABEL, 2, "distillery.train.losses[2] (ce)"))),
                4);
        assertThat(spec.labelColumns()).containsExactly("target", "logits", "label");
        MultiDataSet batch = new RowBatcher(spec)
                .toBatch(List.of(
                        labelled(schema, "a", new float[] {1, 2, 3}, new float[] {0.5f, -1}, 1),
                        labelled(schema, "b", new float[] {0, 0, 0}, new float[] {2, 4}, 0)));
        assertThat(batch.getLabels()).hasSize(2);
        assertThat(batch.getLabels(0).reshape(6).toFloatVector()).containsExactly(1, 2, 3, 0, 0, 0);
        assertThat(batch.getLabels(1).shape()).containsExactly(2, 4);
        assertThat(batch.getLabels(1).reshape(8).toFloatVector()).containsExactly(0.5f, -1, 0, 1, 2, 4, 1, 0);
        assertThatThrownBy(() -> new RowBatcher(spec)
                        .toBatch(List.of(labelled(schema, "c", new float[] {0, 0, 0}, new float[] {1, 1}, null))))
                .hasMessage("row c has no label; distillery.train.losses[2] (ce) needs labelled rows");
    }

    private static Row labelled(StructType schema, String key, float[] target, float[] logits, Integer label) {
        return new GenericRowWithSchema(
                new Object[] {
                    key,
                    1,
                    new byte[2 * 2 * 3],
                    TensorPacking.pack(target, 0, target.length, TensorDType.FP16),
                    TensorPacking.pack(logits, 0, logits.length, TensorDType.FP16),
                    label
                },
                schema);
    }

    @Test
    void aNonFiniteStoredTargetIsReportedAsTheDatasetsFault() {
        assertThatThrownBy(() -> new RowBatcher(SPEC).toBatch(List.of(row("a", 1, 2, 3), row("b/7", 0, Float.NaN, 1))))
                .isInstanceOf(FeatureFormatException.class)
                .hasMessage("row b/7 view 1: column 'target' holds NaN at element 1; the feature dataset itself holds "
                        + "non-finite targets (extract it again with a sound teacher)");
    }
}
