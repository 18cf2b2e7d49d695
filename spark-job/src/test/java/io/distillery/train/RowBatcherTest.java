package io.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureFormatException;
import io.distillery.features.TensorDType;
import io.distillery.features.TensorPacking;
import io.distillery.masking.MaskGenerator;
import io.distillery.masking.MaskInput;
import io.distillery.masking.MaskKind;
import io.distillery.masking.MaskSeeds;
import io.distillery.masking.MaskSettings;
import io.distillery.masking.TokenMask;
import io.distillery.model.kernels.MaskedTokensMath;
import io.distillery.model.layers.MaskedTokenSelect;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
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

    /** A 4 x 4 patch grid, targets of 2 floats per token; masks keep 4 of 16, 2 clones per row. */
    /** The predictions layer of a masked graph over these masks: 12 of 16 patches masked, 2-wide targets. */
    private static MaskedTokenSelect predictions() {
        return new MaskedTokenSelect(MaskedTokensMath.Op.MASKED_PREDICTIONS, 16, 4, 2, 0);
    }

    private static MaskedRows maskedRows(int skipTokens) {
        return new MaskedRows(
                new MaskGenerator(new MaskSettings(0.75, MaskKind.INVERSE_BLOCK, 2, 0.07, 2), 4),
                42,
                16 + skipTokens,
                skipTokens,
                2);
    }

    private static BatchSpec maskedSpec(MaskedRows masked) {
        return new BatchSpec(
                2,
                new double[] {0, 0, 0},
                new double[] {1, 1, 1},
                List.of(List.of(new PackedColumn(FeatureColumns.TARGET, TensorDType.FP32, masked.targetTokens() * 2))),
                4,
                masked);
    }

    /** Target token t of row {@code key} is (100 k + t, -t) for the key's number k. */
    private static Row maskedRow(String key, int view, int tokens) {
        float[] target = new float[tokens * 2];
        for (int t = 0; t < tokens; t++) {
            target[2 * t] = 100 * Integer.parseInt(key.substring(1)) + t;
            target[2 * t + 1] = -t;
        }
        byte[] pixels = new byte[2 * 2 * 3];
        pixels[0] = (byte) key.hashCode();
        return new GenericRowWithSchema(
                new Object[] {key, view, pixels, TensorPacking.pack(target, 0, target.length, TensorDType.FP32)},
                SCHEMA);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void eachRowBecomesItsClonesWithTheirMasksAndTheTargetsOfTheirMaskedTokens(int skipTokens) {
        MaskedRows masked = maskedRows(skipTokens);
        List<Row> rows = List.of(maskedRow("k1", 0, 16 + skipTokens), maskedRow("k2", 3, 16 + skipTokens));
        MultiDataSet compact = new RowBatcher(maskedSpec(masked)).toBatch(rows);
        // as it travels: 4 mask rows (2 rows x 2 clones), the 2 rows' pixels and full targets once each
        assertThat(CompactMaskedBatch.isCompact(compact)).isTrue();
        assertThat(compact.getFeatures(0).shape()).containsExactly(4, MaskInput.width(16));
        assertThat(compact.getFeatures(1).shape()).containsExactly(2, 3, 2, 2);
        assertThat(compact.getLabels(0).shape()).containsExactly(2, (16L + skipTokens) * 2);
        MultiDataSet batch = CompactMaskedBatch.expand(compact, predictions());
        assertThat(batch.getFeatures()).hasSize(2);
        assertThat(batch.getFeatures(0).shape()).containsExactly(4, 3, 2, 2);
        assertThat(batch.getFeatures(1).shape()).containsExactly(4, MaskInput.width(16));
        assertThat(batch.getLabels(0).shape()).containsExactly(4, 12 * 2);
        MaskInput.Rows read = MaskInput.read(batch.getFeatures(1).toDoubleMatrix(), 16, 4);
        for (int e = 0; e < 4; e++) {
            Row row = rows.get(e / 2);
            String key = row.getAs(FeatureColumns.KEY);
            int view = row.getAs(FeatureColumns.VIEW);
            TokenMask mask = masked.masks().mask(42, key, view, e % 2);
            int[] order = read.order()[e];
            assertThat(java.util.Arrays.copyOf(order, 4)).containsExactly(mask.keptIndices());
            assertThat(java.util.Arrays.copyOfRange(order, 4, 16)).containsExactly(mask.maskedIndices());
            assertThat(read.noiseSeeds()[e])
                    .isEqualTo(MaskInput.travellingSeed(MaskSeeds.noiseSeed(42, key, view, e % 2)));
            float[] labels = batch.getLabels(0).getRow(e).toFloatVector();
            int k = Integer.parseInt(key.substring(1));
            for (int j = 0; j < 12; j++) {
                int token = skipTokens + mask.maskedIndices()[j];
                assertThat(labels[2 * j]).isEqualTo(100 * k + token);
                assertThat(labels[2 * j + 1]).isEqualTo(-token);
            }
            assertThat(batch.getFeatures(0).getDouble(e, 0, 0, 0))
                    .isEqualTo(batch.getFeatures(0).getDouble(e / 2 * 2, 0, 0, 0));
        }
        assertThat(read.order()[0]).isNotEqualTo(read.order()[1]); // the clones' masks differ
    }

    /**
     * What makes a resumed run (or a retried task, or another executor) see the same masks: a batcher shipped to a
     * new JVM (Java serialisation, as Spark does) given the rows in another order and batching makes the same
     * examples of every row.
     */
    @Test
    void theExamplesOfARowDependOnlyOnItsKeyViewAndTheSeed() throws Exception {
        MaskedRows masked = maskedRows(0);
        List<Row> rows = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            rows.add(maskedRow("k" + i, i % 2, 16));
        }
        Map<String, String> first = examples(new RowBatcher(maskedSpec(masked)), rows);
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(new RowBatcher(maskedSpec(maskedRows(0))));
        }
        RowBatcher shipped;
        try (var in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            shipped = (RowBatcher) in.readObject();
        }
        List<Row> reversed = new java.util.ArrayList<>(rows);
        java.util.Collections.reverse(reversed);
        assertThat(examples(shipped, reversed)).isEqualTo(first).hasSize(12);
    }

    /** key/view/clone to the example's mask input and labels, over all batches of {@code rows}. */
    private static Map<String, String> examples(RowBatcher batcher, List<Row> rows) {
        Map<String, String> out = new java.util.TreeMap<>();
        var batches = batcher.call(rows.iterator());
        int row = 0;
        while (batches.hasNext()) {
            MultiDataSet batch = CompactMaskedBatch.expand(batches.next(), predictions());
            for (int e = 0; e < batch.getFeatures(1).size(0); e++) {
                Row r = rows.get(row + e / 2);
                out.put(
                        r.getAs(FeatureColumns.KEY) + "/" + r.getAs(FeatureColumns.VIEW) + "/" + e % 2,
                        java.util.Arrays.toString(batch.getFeatures(1).getRow(e).toFloatVector())
                                + java.util.Arrays.toString(
                                        batch.getLabels(0).getRow(e).toFloatVector()));
            }
            row += (int) batch.getFeatures(1).size(0) / 2;
        }
        return out;
    }
}
