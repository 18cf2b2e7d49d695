package io.distillery.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.extract.SparkTestSession;
import io.distillery.features.FeatureMetadata;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** Every view gets its sample's caption cells; a sample without a view-0 caption is an error naming the row. */
class CaptionPairsTest {
    private static final SparkSession SPARK = SparkTestSession.get();
    private static final StructType SCHEMA = new StructType()
            .add("key", DataTypes.StringType, false)
            .add("view", DataTypes.IntegerType, false)
            .add("target", DataTypes.BinaryType, false)
            .add("caption_input_ids", DataTypes.BinaryType, true)
            .add("caption_target", DataTypes.BinaryType, true);
    private static final FeatureMetadata.Captions CAPTIONS = new FeatureMetadata.Captions(
            null,
            null,
            null,
            List.of(
                    new FeatureMetadata.TensorColumn("caption_input_ids", "int32", List.of(4L), "C order", ""),
                    new FeatureMetadata.TensorColumn("caption_target", "fp16", List.of(4L, 2L), "C order", "")));

    private static Row row(String key, int view, int target, Integer caption) {
        return RowFactory.create(
                key,
                view,
                new byte[] {(byte) target},
                caption == null ? null : new byte[] {(byte) (caption + 1)},
                caption == null ? null : new byte[] {(byte) (caption + 2)});
    }

    @Test
    void everyViewCarriesItsSamplesCaption() {
        Dataset<Row> rows = SPARK.createDataFrame(
                List.of(row("a", 0, 10, 20), row("a", 1, 11, null), row("b", 1, 31, null), row("b", 0, 30, 40)),
                SCHEMA);
        List<Row> paired =
                CaptionPairs.attach(rows, CAPTIONS).orderBy("key", "view").collectAsList();
        assertThat(paired).hasSize(4);
        for (Row r : paired) {
            int caption = r.<String>getAs("key").equals("a") ? 20 : 40;
            assertThat(CaptionPairs.requireCaption(r, "caption_input_ids")).containsExactly((byte) (caption + 1));
            assertThat(CaptionPairs.requireCaption(r, "caption_target")).containsExactly((byte) (caption + 2));
            assertThat(((byte[]) r.getAs("target"))[0])
                    .isEqualTo((byte) ((r.<String>getAs("key").equals("a") ? 10 : 30) + r.<Integer>getAs("view")));
        }
    }

    @Test
    void aViewWhoseSampleHasNoCaptionRowFailsNamingIt() {
        Dataset<Row> rows = SPARK.createDataFrame(List.of(row("a", 0, 10, 20), row("c", 2, 12, null)), SCHEMA);
        Row orphan = CaptionPairs.attach(rows, CAPTIONS)
                .filter("key = 'c'")
                .collectAsList()
                .get(0);
        assertThatThrownBy(() -> CaptionPairs.requireCaption(orphan, "caption_target"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("row c view 2: no caption_target for its sample");
    }
}
