package io.distillery.train;

import io.distillery.features.FeatureColumns;
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
 * Executor side: turns rows (pixels, labels) into MultiDataSets of {@code batchSize} rows, lazily, one batch in
 * memory at a time, with one labels array per output of the training graph ({@link BatchSpec#outputs()}). Whole batches are converted at once (ND4J allocation dominates small conversions) from plain
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
        for (Row row : batch) {
            views.add(row.getAs(FeatureColumns.PIXELS));
        }
        INDArray features = PixelBatch.toImages(
                views,
                spec.imgSize(),
                spec.mean(),
                spec.std(),
                r -> "row " + batch.get(r).getAs(FeatureColumns.KEY) + " view "
                        + batch.get(r).getAs(FeatureColumns.VIEW));
        INDArray[] labels = new INDArray[spec.outputs().size()];
        for (int o = 0; o < labels.length; o++) {
            labels[o] = labels(batch, spec.outputs().get(o), spec.labelWidth(o));
        }
        return new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[] {features}, labels);
    }

    /** One output's labels [n, width]: each row's sources side by side. */
    private static INDArray labels(List<Row> batch, List<LabelSource> sources, int width) {
        int n = batch.size();
        float[] values = new float[n * width];
        for (int r = 0; r < n; r++) {
            int offset = r * width;
            for (LabelSource source : sources) {
                source.fill(batch.get(r), values, offset);
                offset += source.width();
            }
        }
        return Nd4j.create(values, new long[] {n, width}, DataType.FLOAT);
    }
}
