package io.distillery.train;

import io.distillery.features.FeatureColumns;
import io.distillery.masking.MaskInput;
import io.distillery.masking.MaskSeeds;
import io.distillery.masking.TokenMask;
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
 * Executor side: turns rows (pixels, labels) into MultiDataSets of {@code batchSize} examples (rows, or rows x
 * clones for a masked student: {@link MaskedRows}), lazily, one batch in
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
                List<Row> batch = new ArrayList<>(spec.rowsPerBatch());
                while (rows.hasNext() && batch.size() < spec.rowsPerBatch()) {
                    batch.add(rows.next());
                }
                return toBatch(batch);
            }
        };
    }

    MultiDataSet toBatch(List<Row> batch) {
        if (spec.masked() != null) {
            return toMaskedBatch(batch, spec.masked());
        }
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

    /**
     * A masked student's batch ({@link MaskedRows}): each row's clones in a row, with pixels [n, 3, S, S], the mask
     * input [n, T + 2] and the labels [n, M * D_t], the target's masked tokens in ascending order (the order in
     * which the graph gathers its predictions).
     */
    private MultiDataSet toMaskedBatch(List<Row> batch, MaskedRows m) {
        int clones = m.clones();
        int n = batch.size() * clones;
        int maskWidth = MaskInput.width(m.masks().tokens());
        int labelWidth = m.labelWidth();
        int dt = m.tokenWidth();
        LabelSource target = spec.outputs().get(0).get(0);
        List<byte[]> views = new ArrayList<>(n);
        float[] masks = new float[n * maskWidth];
        float[] labels = new float[n * labelWidth];
        float[] full = new float[target.width()];
        for (int r = 0; r < batch.size(); r++) {
            Row row = batch.get(r);
            String key = row.getAs(FeatureColumns.KEY);
            int view = row.<Integer>getAs(FeatureColumns.VIEW);
            target.fill(row, full, 0);
            for (int c = 0; c < clones; c++) {
                int e = r * clones + c;
                views.add(row.getAs(FeatureColumns.PIXELS));
                TokenMask mask = m.masks().mask(m.runSeed(), key, view, c);
                MaskInput.write(mask, MaskSeeds.noiseSeed(m.runSeed(), key, view, c), masks, e * maskWidth);
                int[] masked = mask.maskedIndices();
                for (int j = 0; j < masked.length; j++) {
                    System.arraycopy(full, (m.skipTokens() + masked[j]) * dt, labels, e * labelWidth + j * dt, dt);
                }
            }
        }
        INDArray images = PixelBatch.toImages(
                views,
                spec.imgSize(),
                spec.mean(),
                spec.std(),
                e -> "row " + batch.get(e / clones).getAs(FeatureColumns.KEY) + " view "
                        + batch.get(e / clones).getAs(FeatureColumns.VIEW));
        return new org.nd4j.linalg.dataset.MultiDataSet(
                new INDArray[] {images, Nd4j.create(masks, new long[] {n, maskWidth}, DataType.FLOAT)}, new INDArray[] {
                    Nd4j.create(labels, new long[] {n, labelWidth}, DataType.FLOAT)
                });
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
