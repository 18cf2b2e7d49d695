package io.distillery.train;

import io.distillery.features.FeatureColumns;
import io.distillery.features.TensorDType;
import io.distillery.features.TensorPacking;
import io.distillery.numerics.FiniteValues;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Executor side, text rows ({@code input_ids} int32 [T], {@code attention_mask} uint8 [T], {@code target} [T, D]) to
 * the text student's MultiDataSets of {@code batchSize} rows: inputs ids, token type ids (0: single texts) and the
 * mask, [n, T] floats; labels the target then the mask, [n, T*D + T] ({@link io.distillery.student.TokenD2vLoss}).
 */
final class TextRowBatcher implements FlatMapFunction<Iterator<Row>, MultiDataSet> {
    private static final long serialVersionUID = 1L;
    private final int tokens;
    private final int targetDim;
    private final TensorDType dtype;
    private final int batchSize;

    TextRowBatcher(int tokens, int targetDim, TensorDType dtype, int batchSize) {
        this.tokens = tokens;
        this.targetDim = targetDim;
        this.dtype = dtype;
        this.batchSize = batchSize;
    }

    /** The dataset columns the batcher reads. */
    static String[] columns() {
        return new String[] {FeatureColumns.INPUT_IDS, FeatureColumns.ATTENTION_MASK, FeatureColumns.TARGET};
    }

    @Override
    public Iterator<MultiDataSet> call(Iterator<Row> rows) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public MultiDataSet next() {
                List<Row> batch = new ArrayList<>(batchSize);
                while (rows.hasNext() && batch.size() < batchSize) {
                    batch.add(rows.next());
                }
                return toBatch(batch);
            }
        };
    }

    MultiDataSet toBatch(List<Row> batch) {
        int n = batch.size();
        int width = tokens * targetDim + tokens;
        float[] ids = new float[n * tokens];
        float[] mask = new float[n * tokens];
        float[] labels = new float[n * width];
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
                labels[r * width + tokens * targetDim + t] = rowMask[t];
            }
            TensorPacking.unpack(
                    cell(row, FeatureColumns.TARGET, tokens * targetDim * dtype.bytes()),
                    dtype,
                    labels,
                    r * width,
                    tokens * targetDim);
            int bad = FiniteValues.firstNonFinite(labels, r * width, tokens * targetDim);
            if (bad >= 0) {
                throw new IllegalArgumentException("row " + key + ": column 'target' holds "
                        + FiniteValues.describe(labels[r * width + bad]) + " at element " + bad
                        + "; the feature dataset itself holds non-finite targets");
            }
        }
        INDArray[] features = {
            Nd4j.create(ids, new long[] {n, tokens}, DataType.FLOAT),
            Nd4j.zeros(DataType.FLOAT, n, tokens),
            Nd4j.create(mask, new long[] {n, tokens}, DataType.FLOAT)
        };
        return new org.nd4j.linalg.dataset.MultiDataSet(features, new INDArray[] {
            Nd4j.create(labels, new long[] {n, width}, DataType.FLOAT)
        });
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
