package io.distillery.train;

import io.distillery.dataset.CaptionPairs;
import io.distillery.features.FeatureColumns;
import io.distillery.features.TensorDType;
import io.distillery.features.TensorPacking;
import io.distillery.masking.MaskGenerator;
import io.distillery.masking.MaskInput;
import io.distillery.masking.MaskSeeds;
import io.distillery.scoring.PixelBatch;
import io.distillery.text.ClipTokenizer;
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
 * Executor side, rows of a CLIP teacher's dataset (each view with its sample's caption cells, {@link CaptionPairs})
 * to the CLIP-KD student's MultiDataSets ({@code ImageTextStudentGraph.kdConfiguration}): inputs the view's
 * normalised pixels [n, 3, S, S], the caption's CLIP BPE ids, token type ids (0) and mask (through end-of-text,
 * {@link ClipTokenizer#attentionMask}) [n, Tt]; labels the teacher's image embedding of the view and text embedding
 * of the caption side by side [n, 2E]. With {@code mfd} a fifth input holds each row's mask ({@link MaskInput}): a
 * pure function of (run seed, key, view), so a retried task or a resumed run masks a view as before.
 */
final class ClipKdRowBatcher implements FlatMapFunction<Iterator<Row>, MultiDataSet> {
    private static final long serialVersionUID = 1L;

    static final String IDS = FeatureColumns.caption(FeatureColumns.INPUT_IDS);
    static final String TEXT_EMBEDDING = FeatureColumns.caption(FeatureColumns.EMBEDDING);

    static final String[] COLUMNS = {
        FeatureColumns.KEY,
        FeatureColumns.VIEW,
        FeatureColumns.PIXELS,
        FeatureColumns.IMAGE_EMBEDDING,
        IDS,
        TEXT_EMBEDDING
    };

    /**
     * @param imgSize       the student's input side (the stored views' side)
     * @param embedDim      the teacher's embedding width E
     * @param dtype         the embeddings' stored dtype
     * @param captionTokens the context length Tt
     * @param masks         the student's image masks ({@code mfd}); null when it sees whole images
     * @param runSeed       the run's seed, which the masks derive from
     */
    record Spec(
            int imgSize,
            double[] mean,
            double[] std,
            int embedDim,
            TensorDType dtype,
            int captionTokens,
            int batchSize,
            MaskGenerator masks,
            long runSeed)
            implements Serializable {}

    private final Spec spec;

    ClipKdRowBatcher(Spec spec) {
        this.spec = spec;
    }

    @Override
    public Iterator<MultiDataSet> call(Iterator<Row> rows) {
        return RowBatches.of(rows, spec.batchSize(), this::toBatch);
    }

    MultiDataSet toBatch(List<Row> batch) {
        int n = batch.size();
        int tokens = spec.captionTokens();
        int e = spec.embedDim();
        List<byte[]> views = new ArrayList<>(n);
        float[] ids = new float[n * tokens];
        float[] mask = new float[n * tokens];
        float[] teacher = new float[n * 2 * e];
        for (int r = 0; r < n; r++) {
            Row row = batch.get(r);
            String where = "row " + row.getAs(FeatureColumns.KEY) + " view " + row.getAs(FeatureColumns.VIEW);
            views.add(row.getAs(FeatureColumns.PIXELS));
            ImageTextRowBatcher.unpack(
                    row.getAs(FeatureColumns.IMAGE_EMBEDDING),
                    spec.dtype(),
                    teacher,
                    r * 2 * e,
                    e,
                    where,
                    FeatureColumns.IMAGE_EMBEDDING);
            ImageTextRowBatcher.unpack(
                    CaptionPairs.requireCaption(row, TEXT_EMBEDDING),
                    spec.dtype(),
                    teacher,
                    r * 2 * e + e,
                    e,
                    where,
                    TEXT_EMBEDDING);
            int[] rowIds = TensorPacking.unpackInts(CaptionPairs.requireCaption(row, IDS));
            if (rowIds.length != tokens) {
                throw new IllegalArgumentException(
                        where + ": " + IDS + " has " + rowIds.length + " ids, expected " + tokens);
            }
            int[] rowMask = ClipTokenizer.attentionMask(rowIds);
            for (int t = 0; t < tokens; t++) {
                ids[r * tokens + t] = rowIds[t];
                mask[r * tokens + t] = rowMask[t];
            }
        }
        INDArray pixels = PixelBatch.toImages(
                views,
                spec.imgSize(),
                spec.mean(),
                spec.std(),
                r -> "row " + batch.get(r).getAs(FeatureColumns.KEY) + " view "
                        + batch.get(r).getAs(FeatureColumns.VIEW));
        INDArray[] text = {
            Nd4j.create(ids, new long[] {n, tokens}, DataType.FLOAT),
            Nd4j.zeros(DataType.FLOAT, n, tokens),
            Nd4j.create(mask, new long[] {n, tokens}, DataType.FLOAT)
        };
        INDArray[] features = spec.masks() == null
                ? new INDArray[] {pixels, text[0], text[1], text[2]}
                : new INDArray[] {pixels, text[0], text[1], text[2], imageMasks(batch)};
        INDArray[] labels = {Nd4j.create(teacher, new long[] {n, 2L * e}, DataType.FLOAT)};
        return new org.nd4j.linalg.dataset.MultiDataSet(features, labels);
    }

    /** Each row's mask (clone 0 of its view) as {@link MaskInput} rows [n, T + 2]. */
    private INDArray imageMasks(List<Row> batch) {
        MaskGenerator masks = spec.masks();
        int width = MaskInput.width(masks.tokens());
        float[] out = new float[batch.size() * width];
        for (int r = 0; r < batch.size(); r++) {
            String key = batch.get(r).getAs(FeatureColumns.KEY);
            int view = ((Number) batch.get(r).getAs(FeatureColumns.VIEW)).intValue();
            MaskInput.write(
                    masks.mask(spec.runSeed(), key, view, 0),
                    MaskSeeds.noiseSeed(spec.runSeed(), key, view, 0),
                    out,
                    r * width);
        }
        return Nd4j.create(out, new long[] {batch.size(), width}, DataType.FLOAT);
    }
}
