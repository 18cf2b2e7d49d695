package io.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureFormatException;
import io.distillery.features.TensorDType;
import io.distillery.features.TensorPacking;
import io.distillery.features.TopKLogits;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Teacher logits rebuilt from packed top-k cells give FKD's distribution at every temperature. */
class TopKLogitsColumnsTest {
    private static final StructType SCHEMA = new StructType()
            .add(FeatureColumns.KEY, DataTypes.StringType)
            .add(FeatureColumns.VIEW, DataTypes.IntegerType)
            .add(FeatureColumns.LOGITS_TOPK_INDEX, DataTypes.BinaryType)
            .add(FeatureColumns.LOGITS_TOPK_VALUE, DataTypes.BinaryType)
            .add(FeatureColumns.LOGITS_TOPK_REST, DataTypes.BinaryType);

    private static Row row(int[] index, float[] value, float rest) {
        ByteBuffer ints = ByteBuffer.allocate(4 * index.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i : index) {
            ints.putInt(i);
        }
        return new GenericRowWithSchema(
                new Object[] {
                    "k",
                    0,
                    ints.array(),
                    TensorPacking.pack(value, 0, value.length, TensorDType.FP32),
                    TensorPacking.pack(new float[] {rest}, 0, 1, TensorDType.FP32)
                },
                SCHEMA);
    }

    @Test
    void filledLogitsSoftmaxIsTheFkdDistributionAtEveryTemperature() {
        float[] full = {0.3f, 2.5f, -1.0f, 1.75f, 0.1f};
        int[] index = new int[2];
        float[] value = new float[2];
        float rest = TopKLogits.select(full, 0, 5, 2, index, value, 0);
        float[] filled = new float[5];
        new TopKLogitsColumns(5, 2, TensorDType.FP32).fill(row(index, value, rest), filled, 0);

        assertThat(filled[1]).isEqualTo(2.5f);
        assertThat(filled[3]).isEqualTo(1.75f);
        for (double t : new double[] {1, 2, 4}) {
            double[] expected = TopKLogits.distribution(index, value, rest, 5, t);
            double max = Double.NEGATIVE_INFINITY;
            for (float z : filled) {
                max = Math.max(max, z / t);
            }
            double sum = 0;
            double[] q = new double[5];
            for (int c = 0; c < 5; c++) {
                q[c] = Math.exp(filled[c] / t - max);
                sum += q[c];
            }
            for (int c = 0; c < 5; c++) {
                assertThat(q[c] / sum).as("T=" + t + " class " + c).isCloseTo(expected[c], within(1e-6));
            }
        }
        // at T = 1 the two stored classes keep their probabilities under the full softmax (FKD's point)
        double norm = 0;
        for (float z : full) {
            norm += Math.exp(z);
        }
        assertThat(TopKLogits.distribution(index, value, rest, 5, 1)[1]).isCloseTo(Math.exp(2.5) / norm, within(1e-6));
    }

    @Test
    void aRepeatedClassIndexNamesTheRowAndColumn() {
        assertThatThrownBy(() -> new TopKLogitsColumns(5, 2, TensorDType.FP32)
                        .fill(row(new int[] {1, 1}, new float[] {2f, 1f}, 0f), new float[5], 0))
                .isInstanceOf(FeatureFormatException.class)
                .hasMessageContaining("row k view 0")
                .hasMessageContaining("logits_topk_index")
                .hasMessageContaining("repeated");
    }
}
