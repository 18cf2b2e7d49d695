package io.distillery.train;

import io.distillery.dataset.CaptionPairs;
import io.distillery.features.FeatureColumns;
import io.distillery.features.TensorDType;
import io.distillery.features.TensorPacking;
import io.distillery.numerics.FiniteValues;
import io.distillery.scoring.PixelBatch;
import java.io.Serializable;
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
 * Executor side, captioned image rows (each view with its sample's caption cells, {@link CaptionPairs}) to the
 * multimodal student's MultiDataSets ({@link io.distillery.student.ImageTextStudentGraph}): inputs the view's
 * normalised pixels [n, 3, S, S], the caption's ids, token type ids (0) and mask [n, Tt]; labels the image target
 * [n, T*D], the caption target then the mask [n, Tt*Dt + Tt], and [n, 1] zeros for the contrastive output (its pairs
 * are the batch's rows).
 */
final class ImageTextRowBatcher implements FlatMapFunction<Iterator<Row>, MultiDataSet> {
    private static final long serialVersionUID = 1L;

    /**
     * @param imgSize         the student's input side
     * @param imageTarget     width T*D of the image target, and its dtype
     * @param captionTokens   Tt
     * @param captionTarget   width Tt*Dt of the caption target, and its dtype
     */
    record Spec(
            int imgSize,
            double[] mean,
            double[] std,
            int imageTarget,
            TensorDType imageDtype,
            int captionTokens,
            int captionTarget,
            TensorDType captionDtype,
            int batchSize)
            implements Serializable {}

    static final String[] COLUMNS = {
        FeatureColumns.KEY,
        FeatureColumns.VIEW,
        FeatureColumns.PIXELS,
        FeatureColumns.TARGET,
        "caption_input_ids",
        "caption_attention_mask",
        "caption_target"
    };

    private final Spec spec;

    ImageTextRowBatcher(Spec spec) {
        this.spec = spec;
    }

    @Override
    public Iterator<MultiDataSet> call(Iterator<Row> rows) {
        return RowBatches.of(rows, spec.batchSize(), this::toBatch);
    }

    MultiDataSet toBatch(List<Row> batch) {
        int n = batch.size();
        int tokens = spec.captionTokens();
        List<byte[]> views = new ArrayList<>(n);
        float[] ids = new float[n * tokens];
        float[] mask = new float[n * tokens];
        float[] image = new float[n * spec.imageTarget()];
        int captionWidth = spec.captionTarget() + tokens;
        float[] caption = new float[n * captionWidth];
        for (int r = 0; r < n; r++) {
            Row row = batch.get(r);
            String where = "row " + row.getAs(FeatureColumns.KEY) + " view " + row.getAs(FeatureColumns.VIEW);
            views.add(row.getAs(FeatureColumns.PIXELS));
            unpack(
                    row.getAs(FeatureColumns.TARGET),
                    spec.imageDtype(),
                    image,
                    r * spec.imageTarget(),
                    spec.imageTarget(),
                    where,
                    FeatureColumns.TARGET);
            int[] rowIds = TensorPacking.unpackInts(CaptionPairs.requireCaption(row, "caption_input_ids"));
            byte[] rowMask = CaptionPairs.requireCaption(row, "caption_attention_mask");
            if (rowIds.length != tokens || rowMask.length != tokens) {
                throw new IllegalArgumentException(where + ": caption has " + rowIds.length + " ids and "
                        + rowMask.length + " mask entries, expected " + tokens);
            }
            unpack(
                    CaptionPairs.requireCaption(row, "caption_target"),
                    spec.captionDtype(),
                    caption,
                    r * captionWidth,
                    spec.captionTarget(),
                    where,
                    "caption_target");
            for (int t = 0; t < tokens; t++) {
                ids[r * tokens + t] = rowIds[t];
                if (rowMask[t] != 0 && rowMask[t] != 1) {
                    throw new IllegalArgumentException(
                            where + ": caption_attention_mask holds " + rowMask[t] + " at token " + t);
                }
                mask[r * tokens + t] = rowMask[t];
                caption[r * captionWidth + spec.captionTarget() + t] = rowMask[t];
            }
        }
        INDArray pixels = PixelBatch.toImages(
                views,
                spec.imgSize(),
                spec.mean(),
                spec.std(),
                r -> "row " + batch.get(r).getAs(FeatureColumns.KEY) + " view "
                        + batch.get(r).getAs(FeatureColumns.VIEW));
        INDArray[] features = {
            pixels,
            Nd4j.create(ids, new long[] {n, tokens}, DataType.FLOAT),
            Nd4j.zeros(DataType.FLOAT, n, tokens),
            Nd4j.create(mask, new long[] {n, tokens}, DataType.FLOAT)
        };
        INDArray[] labels = {
            Nd4j.create(image, new long[] {n, spec.imageTarget()}, DataType.FLOAT),
            Nd4j.create(caption, new long[] {n, captionWidth}, DataType.FLOAT),
            Nd4j.zeros(DataType.FLOAT, n, 1)
        };
        return new org.nd4j.linalg.dataset.MultiDataSet(features, labels);
    }

    /** One packed tensor cell into {@code dst}, its size and finiteness checked, an error naming row and column. */
    static void unpack(
            byte[] cell, TensorDType dtype, float[] dst, int offset, int width, String where, String column) {
        if (cell == null || cell.length != width * dtype.bytes()) {
            throw new IllegalArgumentException(where + ": column '" + column + "' has "
                    + (cell == null ? "no" : cell.length) + " bytes, expected " + width * dtype.bytes());
        }
        TensorPacking.unpack(cell, dtype, dst, offset, width);
        int bad = FiniteValues.firstNonFinite(dst, offset, width);
        if (bad >= 0) {
            throw new IllegalArgumentException(where + ": column '" + column + "' holds "
                    + FiniteValues.describe(dst[offset + bad]) + " at element " + bad
                    + "; the feature dataset itself holds non-finite targets");
        }
    }
}
