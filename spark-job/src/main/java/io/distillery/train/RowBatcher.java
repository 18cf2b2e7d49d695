package io.distillery.train;

import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureFormatException;
import io.distillery.features.TensorPacking;
import io.distillery.numerics.FiniteValues;
import io.distillery.scoring.PixelBatch;
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
 * Executor side: turns rows (pixels, label) into MultiDataSets of {@code batchSize} rows, lazily, one batch in
 * memory at a time. Whole batches are converted at once (ND4J allocation dominates small conversions) from plain
 * float arrays, never from heap ByteBuffers (see the field notes).
 */
final class RowBatcher implements FlatMapFunction<Iterator<Row>, MultiDataSet> {
    private static final long serialVersionUID = 1L;
    private final BatchSpec spec;

    RowBatcher(BatchSpec spec) {
        this.spec = spec;
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
                List<Row> batch = new ArrayList<>(spec.batchSize());
                while (rows.hasNext() && batch.size() < spec.batchSize()) {
                    batch.add(rows.next());
                }
                return toBatch(batch);
            }
        };
    }

    MultiDataSet toBatch(List<Row> batch) {
        int n = batch.size();
        List<byte[]> views = new ArrayList<>(n);
        float[] labels = new float[n * spec.labelWidth()];
        for (int r = 0; r < n; r++) {
            Row row = batch.get(r);
            views.add(row.getAs(FeatureColumns.PIXELS));
            fillLabel(row, labels, r * spec.labelWidth());
        }
        INDArray features = PixelBatch.toImages(
                views,
                spec.imgSize(),
                spec.mean(),
                spec.std(),
                r -> "row " + batch.get(r).getAs(FeatureColumns.KEY) + " view "
                        + batch.get(r).getAs(FeatureColumns.VIEW));
        INDArray target = Nd4j.create(labels, new long[] {n, spec.labelWidth()}, DataType.FLOAT);
        return new org.nd4j.linalg.dataset.MultiDataSet(features, target);
    }

    private void fillLabel(Row row, float[] labels, int offset) {
        if (spec.classification()) {
            Object label = row.getAs(spec.labelColumn());
            if (label == null) {
                throw new IllegalArgumentException("row " + row.getAs(FeatureColumns.KEY) + " has no "
                        + spec.labelColumn() + "; finetune needs labelled rows");
            }
            int cls = ((Number) label).intValue();
            if (cls < 0 || cls >= spec.labelWidth()) {
                throw new IllegalArgumentException("row " + row.getAs(FeatureColumns.KEY) + ": label " + cls
                        + " is outside 0.." + (spec.labelWidth() - 1));
            }
            labels[offset + cls] = 1f;
            return;
        }
        byte[] cell = row.getAs(spec.labelColumn());
        int bytes = spec.labelWidth() * spec.labelDType().bytes();
        if (cell == null || cell.length != bytes) {
            throw new IllegalArgumentException("row " + row.getAs(FeatureColumns.KEY) + " view "
                    + row.getAs(FeatureColumns.VIEW) + ": column '" + spec.labelColumn() + "' has "
                    + (cell == null ? "no" : cell.length) + " bytes, expected " + bytes);
        }
        TensorPacking.unpack(cell, spec.labelDType(), labels, offset, spec.labelWidth());
        int bad = FiniteValues.firstNonFinite(labels, offset, spec.labelWidth());
        if (bad >= 0) {
            // a poisoned dataset would otherwise surface as a "training diverged" error, blaming the learning rate
            throw new FeatureFormatException("row " + row.getAs(FeatureColumns.KEY) + " view "
                    + row.getAs(FeatureColumns.VIEW) + ": column '" + spec.labelColumn() + "' holds "
                    + FiniteValues.describe(labels[offset + bad]) + " at element " + bad
                    + "; the feature dataset itself "
                    + "holds non-finite targets (extract it again with a sound teacher)");
        }
    }
}
