package io.distillery.evaluate;

import io.distillery.features.FeatureColumns;
import io.distillery.image.ImageNormalizer;
import io.distillery.image.RgbImage;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Executor side of image-text evaluation: the L2-normalised embeddings of each image's eval view and of its caption
 * (when it has one), in batches, with the executor's copy of the model ({@link ImageTextModel}).
 */
final class ClipEmbedding implements FlatMapFunction<Iterator<Row>, ClipEmbedding.Embedded> {
    private static final long serialVersionUID = 1L;

    /** One test image: its key, label (or null), image embedding and caption embedding (or null). */
    record Embedded(String key, Integer label, float[] image, float[] caption) implements Serializable {}

    private final ModelSpec spec;
    private final String clipTokenizer;
    private final int batchSize;

    ClipEmbedding(ModelSpec spec, String clipTokenizer, int batchSize) {
        this.spec = spec;
        this.clipTokenizer = clipTokenizer;
        this.batchSize = batchSize;
    }

    @Override
    public Iterator<Embedded> call(Iterator<Row> rows) {
        ImageTextModel model = ImageTextModel.load(spec, clipTokenizer);
        ImageNormalizer normalizer = new ImageNormalizer(model.mean(), model.std());
        int size = model.imageSize();
        List<Embedded> out = new ArrayList<>();
        List<Row> batch = new ArrayList<>(batchSize);
        while (rows.hasNext()) {
            batch.add(rows.next());
            if (batch.size() == batchSize || !rows.hasNext()) {
                embed(model, normalizer, size, batch, out);
                batch.clear();
            }
        }
        return out.iterator();
    }

    private static void embed(
            ImageTextModel model, ImageNormalizer normalizer, int size, List<Row> batch, List<Embedded> out) {
        int n = batch.size();
        int perImage = 3 * size * size;
        float[] pixels = new float[n * perImage];
        List<String> captionTexts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Row row = batch.get(i);
            String key = row.getAs(FeatureColumns.KEY);
            normalizer.writeChw(new RgbImage(key, size, size, row.getAs(FeatureColumns.PIXELS)), pixels, i * perImage);
            String caption = row.getAs(FeatureColumns.CAPTION);
            if (caption != null && !caption.isBlank()) {
                captionTexts.add(caption);
            }
        }
        float[][] images = rowsOf(model.embedImages(Nd4j.create(pixels, new long[] {n, 3, size, size}, 'c')));
        float[][] captions = captionTexts.isEmpty() ? new float[0][] : rowsOf(model.embedTexts(captionTexts));
        int c = 0;
        for (int i = 0; i < n; i++) {
            Row row = batch.get(i);
            String caption = row.getAs(FeatureColumns.CAPTION);
            boolean hasCaption = caption != null && !caption.isBlank();
            out.add(new Embedded(
                    row.getAs(FeatureColumns.KEY),
                    row.getAs(FeatureColumns.LABEL),
                    images[i],
                    hasCaption ? captions[c++] : null));
        }
    }

    private static float[][] rowsOf(INDArray matrix) {
        return matrix.toFloatMatrix();
    }
}
