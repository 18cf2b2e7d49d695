package io.distillery.scoring;

import io.distillery.features.FeatureColumns;
import io.distillery.model.Encoder;
import io.distillery.model.EncoderPool;
import io.distillery.model.PoolingHead;
import io.distillery.spark.ExecutorModelCache;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Executor side: runs a frozen encoder over rows {@code key, view, label, pixels} and emits
 * {@code key, view, label, features, predicted}: the pooled last-block representation (mean of the patch tokens,
 * or the CLS token) and, when the model has a classifier head, its argmax class (else null).
 */
public final class EncoderScoring implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    public static final String FEATURES = "features";
    public static final String PREDICTED = "predicted";
    public static final StructType SCHEMA = new StructType()
            .add(FeatureColumns.KEY, DataTypes.StringType, false)
            .add(FeatureColumns.VIEW, DataTypes.IntegerType, false)
            .add(FeatureColumns.LABEL, DataTypes.IntegerType, true)
            .add(FEATURES, DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add(PREDICTED, DataTypes.IntegerType, true);

    /** Which token summary is the frozen feature. */
    public enum Pooling {
        /** mean of the patch tokens of the last block (CLS excluded) */
        MEAN,
        /** the CLS token of the last block */
        CLS;

        public static Pooling fromId(String id) {
            try {
                return valueOf(id.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("pooling must be mean or cls, got '" + id + "'", e);
            }
        }
    }

    private final String model;
    private final String checkpoint;
    private final Pooling pooling;
    private final int batchSize;

    /** @param model a preset or config.json path; {@code checkpoint} a safetensors path every executor reads */
    public EncoderScoring(String model, String checkpoint, Pooling pooling, int batchSize) {
        this.model = model;
        this.checkpoint = checkpoint;
        this.pooling = pooling;
        this.batchSize = batchSize;
    }

    /** {@code rows} need key, view, label, pixels; the result is computed lazily by Spark. */
    public static Dataset<Row> score(SparkSession spark, Dataset<Row> rows, EncoderScoring scoring) {
        return rows.select(FeatureColumns.KEY, FeatureColumns.VIEW, FeatureColumns.LABEL, FeatureColumns.PIXELS)
                .mapPartitions(scoring, org.apache.spark.sql.Encoders.row(SCHEMA));
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) throws java.io.InterruptedIOException {
        EncoderPool encoders = ExecutorModelCache.get(
                model, checkpoint, org.apache.spark.deploy.SparkHadoopUtil.get().conf());
        return scoreAll(encoders, rows);
    }

    private Iterator<Row> scoreAll(EncoderPool encoders, Iterator<Row> rows) throws java.io.InterruptedIOException {
        List<Row> out = new ArrayList<>();
        List<Row> batch = new ArrayList<>(batchSize);
        while (rows.hasNext()) {
            batch.add(rows.next());
            if (batch.size() == batchSize || !rows.hasNext()) {
                // one copy per batch: concurrent tasks of this executor each run their own replica
                encoders.apply(encoder -> {
                    scoreBatch(encoder, batch, out);
                    return null;
                });
                batch.clear();
            }
        }
        return out.iterator();
    }

    private void scoreBatch(Encoder encoder, List<Row> batch, List<Row> out) {
        List<byte[]> views = new ArrayList<>(batch.size());
        batch.forEach(r -> views.add(r.getAs(FeatureColumns.PIXELS)));
        var c = encoder.config();
        INDArray images = PixelBatch.toImages(
                views,
                c.imgSize(),
                c.imageMean(),
                c.imageStd(),
                r -> "row " + batch.get(r).getAs(FeatureColumns.KEY) + " view "
                        + batch.get(r).getAs(FeatureColumns.VIEW));
        INDArray last = encoder.forward(images).blockOutputs().get(c.depth() - 1);
        INDArray features = pooling == Pooling.CLS
                ? last.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all())
                : last.get(NDArrayIndex.all(), NDArrayIndex.interval(1, last.size(1)), NDArrayIndex.all())
                        .mean(1);
        PoolingHead head = encoder.head();
        INDArray predicted = head != null && head.classifierWeight() != null
                ? head.logits(head.pooled(last)).argMax(1)
                : null;
        for (int r = 0; r < batch.size(); r++) {
            Row row = batch.get(r);
            float[] f = features.getRow(r).dup().data().asFloat();
            Float[] boxed = new Float[f.length];
            for (int i = 0; i < f.length; i++) {
                boxed[i] = f[i];
            }
            out.add(RowFactory.create(
                    row.getAs(FeatureColumns.KEY),
                    row.getAs(FeatureColumns.VIEW),
                    row.getAs(FeatureColumns.LABEL),
                    boxed,
                    predicted == null ? null : predicted.getInt(r)));
        }
    }
}
