package io.distillery.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.extract.SparkTestSession;
import io.distillery.features.FeatureColumns;
import io.distillery.model.Encoder;
import io.distillery.model.EncoderLoader;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelConfigs;
import io.distillery.npy.ParityFiles;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Scoring on executors whose tasks run at the same time gives each row the features of its own pixels. */
class EncoderScoringTest {
    private static final SparkSession SPARK = SparkTestSession.get();
    private static final int BATCH = 4;

    @Test
    void concurrentTasksScoreEveryRowAsASingleThreadDoes() {
        String config = ParityFiles.file("teacher_beitv2/config.json").toString();
        String weights = ParityFiles.file("teacher_beitv2/weights.safetensors").toString();
        ModelConfig c = ModelConfigs.fromJson(ParityFiles.file("teacher_beitv2/config.json"));
        int partitions = 6;
        int perPartition = 3 * BATCH;
        Random random = new Random(3);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < partitions * perPartition; i++) {
            byte[] pixels = new byte[c.imgSize() * c.imgSize() * 3];
            random.nextBytes(pixels);
            rows.add(RowFactory.create("k" + i, 0, i % 3, pixels));
        }
        StructType schema = new StructType()
                .add(FeatureColumns.KEY, DataTypes.StringType)
                .add(FeatureColumns.VIEW, DataTypes.IntegerType)
                .add(FeatureColumns.LABEL, DataTypes.IntegerType)
                .add(FeatureColumns.PIXELS, DataTypes.BinaryType);
        // one partition per perPartition rows, two running at once (local[2]), each task with its own batches
        var input =
                SPARK.createDataFrame(rows, schema).repartition(partitions).sortWithinPartitions(FeatureColumns.KEY);
        Map<String, float[]> scored = new HashMap<>();
        for (Row r : EncoderScoring.score(
                        SPARK, input, new EncoderScoring(config, weights, EncoderScoring.Pooling.MEAN, BATCH))
                .collectAsList()) {
            List<Float> f = r.getList(3);
            float[] features = new float[f.size()];
            for (int i = 0; i < features.length; i++) {
                features[i] = f.get(i);
            }
            scored.put(r.getString(0), features);
        }
        assertThat(scored).hasSize(rows.size());

        Encoder encoder = EncoderLoader.load(c, ParityFiles.file("teacher_beitv2/weights.safetensors"));
        for (Row row : rows) {
            INDArray image = PixelBatch.toImages(
                    List.of((byte[]) row.get(3)), c.imgSize(), c.imageMean(), c.imageStd(), r -> "row " + row.get(0));
            INDArray last = encoder.forward(image).lastBlockOutput();
            float[] expected = last.get(NDArrayIndex.all(), NDArrayIndex.interval(1, last.size(1)), NDArrayIndex.all())
                    .mean(1)
                    .dup()
                    .data()
                    .asFloat();
            float[] actual = scored.get(row.getString(0));
            double max = 0;
            for (int i = 0; i < expected.length; i++) {
                max = Math.max(max, Math.abs(expected[i] - actual[i]));
            }
            // batches of 4 vs batches of 1 change only float rounding; another row's image would differ by O(1)
            assertThat(max).as("features of %s", row.getString(0)).isLessThan(1e-4);
        }
    }
}
