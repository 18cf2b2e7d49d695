package io.distillery.train;

import io.distillery.features.FeatureColumns;
import io.distillery.features.TensorDType;
import io.distillery.features.TensorPacking;
import io.distillery.numerics.FiniteValues;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Executor side, text rows ({@code input_ids} int32 [T], {@code attention_mask} uint8 [T], the teacher columns) to
 * the text student's MultiDataSets of {@code batchSize} rows: inputs ids, token type ids (0: single texts) and the
 * mask, [n, T] floats; one labels array per graph output, each the output's teacher column then the mask,
 * [n, W + T] ({@link io.distillery.student.TokenD2vLoss}, {@link io.distillery.student.PaddedMseLoss}): the d2v
 * {@code target} [T*D], a hidden loss's {@code layer_LL} [T*D_t], an attention loss's {@code attention_LL} [H*T*T].
 */
final class TextRowBatcher implements FlatMapFunction<Iterator<Row>, MultiDataSet> {
    private static final long serialVersionUID = 1L;
    private static final String[] INPUTS = {FeatureColumns.INPUT_IDS, FeatureColumns.ATTENTION_MASK};
    private final int tokens;
    /** Per graph output, its teacher column (only its name, dtype and width are used). */
    private final List<PackedColumn> outputs;

    private final int batchSize;

    /** The d2v-only student: one output, the target [T, D]. */
    TextRowBatcher(int tokens, int targetDim, TensorDType dtype, int batchSize) {
        this(tokens, List.of(new PackedColumn(FeatureColumns.TARGET, dtype, tokens * targetDim)), batchSize);
    }

    /** @param outputs per graph output in order, the teacher column its labels start with */
    TextRowBatcher(int tokens, List<PackedColumn> outputs, int batchSize) {
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("a text student has at least one output");
        }
        this.tokens = tokens;
        this.outputs = List.copyOf(outputs);
        this.batchSize = batchSize;
    }

    /** The dataset columns the d2v-only batcher reads. */
    static String[] columns() {
        return new String[] {FeatureColumns.INPUT_IDS, FeatureColumns.ATTENTION_MASK, FeatureColumns.TARGET};
    }

    /** The dataset columns this batcher reads (besides the key). */
    String[] columnsToRead() {
        Set<String> columns = new LinkedHashSet<>(List.of(INPUTS));
        outputs.forEach(o -> columns.add(o.column()));
        return columns.toArray(new String[0]);
    }

    @Override
    public Iterator<MultiDataSet> call(Iterator<Row> rows) {
        return RowBatches.of(rows, batchSize, this::toBatch);
    }

    MultiDataSet toBatch(List<Row> batch) {
        int n = batch.size();
        float[] ids = new float[n * tokens];
        float[] mask = new float[n * tokens];
        float[][] labels = new float[outputs.size()][];
        for (int o = 0; o < labels.length; o++) {
            labels[o] = new float[n * (outputs.get(o).width() + tokens)];
        }
        for (int r = 0; r < n; r++) {
            Row row = batch.get(r);
            Object key = row.getAs(FeatureColumns.KEY);
            int[] rowIds = TensorPacking.unpackInts(cell(row, FeatureColumns.INPUT_IDS, 4 * tokens));
            byte[] rowMask = cell(row, FeatureColumns.ATTENTION_MASK, tokens);
            for (int t = 0; t < tokens; t++) {
                ids[r * tokens + t] = rowIds[t];
                if (rowMask[t] != 0 && rowMask[t] != 1) {
                    throw new IllegalArgumentException("row " + key + ": attention_mask holds " + rowMask[t]
                            + " at token " + t + " (0 or 1 expected)");
                }
                mask[r * tokens + t] = rowMask[t];
            }
            for (int o = 0; o < labels.length; o++) {
                PackedColumn teacher = outputs.get(o);
                int width = teacher.width();
                int offset = r * (width + tokens);
                TensorPacking.unpack(
                        cell(row, teacher.column(), width * teacher.dtype().bytes()),
                        teacher.dtype(),
                        labels[o],
                        offset,
                        width);
                int bad = FiniteValues.firstNonFinite(labels[o], offset, width);
                if (bad >= 0) {
                    throw new IllegalArgumentException("row " + key + ": column '" + teacher.column() + "' holds "
                            + FiniteValues.describe(labels[o][offset + bad]) + " at element " + bad
                            + "; the feature dataset itself holds non-finite targets");
                }
                System.arraycopy(mask, r * tokens, labels[o], offset + width, tokens);
            }
        }
        INDArray[] features = {
            Nd4j.create(ids, new long[] {n, tokens}, DataType.FLOAT),
            Nd4j.zeros(DataType.FLOAT, n, tokens),
            Nd4j.create(mask, new long[] {n, tokens}, DataType.FLOAT)
        };
        INDArray[] out = new INDArray[labels.length];
        for (int o = 0; o < out.length; o++) {
            out[o] = Nd4j.create(labels[o], new long[] {n, outputs.get(o).width() + tokens}, DataType.FLOAT);
        }
        return new org.nd4j.linalg.dataset.MultiDataSet(features, out);
    }

    private static byte[] cell(Row row, String column, int bytes) {
        byte[] cell = row.getAs(column);
        if (cell == null || cell.length != bytes) {
            throw new IllegalArgumentException("row " + row.getAs(FeatureColumns.KEY) + ": column '" + column + "' has "
                    + (cell == null ? "no" : cell.length) + " bytes, expected " + bytes);
        }
        return cell;
    }
}
