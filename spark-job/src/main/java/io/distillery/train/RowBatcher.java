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
        return RowBatches.of(rows, spec.rowsPerBatch(), this::toBatch);
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
     * A masked student's batch ({@link MaskedRows}) in its compact form ({@link CompactMaskedBatch}): the masks of
     * each row's clones in a row ([rows x clones, T + 2]), each row's pixels and full stored target once. The
     * worker expands it to the graph's inputs and labels just before the step.
     */
    private MultiDataSet toMaskedBatch(List<Row> batch, MaskedRows m) {
        int clones = m.clones();
        int n = batch.size() * clones;
        int maskWidth = MaskInput.width(m.masks().tokens());
        LabelSource target = spec.outputs().get(0).get(0);
        List<byte[]> views = new ArrayList<>(batch.size());
        float[] masks = new float[n * maskWidth];
        float[] targets = new float[batch.size() * target.width()];
        for (int r = 0; r < batch.size(); r++) {
            Row row = batch.get(r);
            String key = row.getAs(FeatureColumns.KEY);
            int view = row.<Integer>getAs(FeatureColumns.VIEW);
            target.fill(row, targets, r * target.width());
            views.add(row.getAs(FeatureColumns.PIXELS));
            for (int c = 0; c < clones; c++) {
                TokenMask mask = m.masks().mask(m.runSeed(), key, view, c);
                MaskInput.write(
                        mask, MaskSeeds.noiseSeed(m.runSeed(), key, view, c), masks, (r * clones + c) * maskWidth);
            }
        }
        INDArray images = PixelBatch.toImages(
                views,
                spec.imgSize(),
                spec.mean(),
                spec.std(),
                r -> "row " + batch.get(r).getAs(FeatureColumns.KEY) + " view "
                        + batch.get(r).getAs(FeatureColumns.VIEW));
        return CompactMaskedBatch.of(
                Nd4j.create(masks, new long[] {n, maskWidth}, DataType.FLOAT),
                images,
                Nd4j.create(targets, new long[] {batch.size(), target.width()}, DataType.FLOAT));
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
