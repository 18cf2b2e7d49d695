package io.distillery.extract;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.config.JobConfigLoader;
import io.distillery.features.FeatureMetadataJson;
import io.distillery.features.TensorDType;
import io.distillery.features.TensorPacking;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What docs/feature-format.md promises other teams: plain Parquet for Spark SQL and DuckDB, self-describing files. */
class FeatureDatasetInteropTest {
    private static final SparkSession SPARK = SparkTestSession.get();

    @TempDir
    static Path dir;

    private static Path out;

    @BeforeAll
    static void extract() throws Exception {
        Path input = TestInputs.parityImageFolder(dir.resolve("in"));
        out = dir.resolve("features");
        ExtractJob.run(
                SPARK,
                ExtractSettings.from(JobConfigLoader.load(
                        null,
                        TestInputs.overrides(input, "image-folder", out, "views.random=1"),
                        "distillery.extract")));
    }

    @Test
    void sparkSqlReadsTheDataFolder() {
        SPARK.read().parquet(out.resolve("data").toString()).createOrReplaceTempView("features");
        List<Row> rows = SPARK.sql("SELECT view, count(*) AS n, min(length(target)) AS bytes FROM features "
                        + "GROUP BY view ORDER BY view")
                .collectAsList();
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).getLong(1)).isEqualTo(6);
        assertThat(rows.get(0).getInt(2)).isEqualTo(16 * 64 * 2); // fp16 [16, 64]
        assertThat(SPARK.sql("SELECT * FROM features").schema().fieldNames())
                .contains("key", "shard", "view", "label", "crop_x", "flip", "target", "pixels");
    }

    @Test
    void duckDbReadsTheSameRowsAndTheTargetDecodesLikeNumpyWould() throws Exception {
        Class.forName("org.duckdb.DuckDBDriver");
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT key, view, label, target FROM read_parquet('" + out.resolve("data")
                        + "/*.parquet') WHERE view = 0 ORDER BY key")) {
            int n = 0;
            while (r.next()) {
                n++;
                java.sql.Blob blob = r.getBlob("target");
                byte[] target = blob.getBytes(1, (int) blob.length());
                // numpy: np.frombuffer(cell, '<f2').reshape(16, 64) — the same little-endian halves
                ShortBuffer halves = new ShortBuffer(target);
                float[] viaJava = TensorPacking.unpack(target, TensorDType.FP16);
                assertThat(viaJava).hasSize(16 * 64);
                assertThat(io.distillery.checkpoint.HalfPrecision.halfToFloat(halves.get(5)))
                        .isEqualTo(viaJava[5]);
                // a layer-normalised target has mean ~0 and variance ~1 per token
                double mean = 0;
                for (int i = 0; i < 64; i++) {
                    mean += viaJava[i];
                }
                assertThat(Math.abs(mean / 64)).isLessThan(0.01);
            }
            assertThat(n).isEqualTo(6);
        }
    }

    @Test
    void everyFileCarriesTheMetadataInItsFooter() throws Exception {
        Configuration conf = new Configuration();
        for (String file : new String[] {"data/folder-0000.parquet", "rejects/folder-0000.parquet"}) {
            var footer = ParquetFiles.footer(
                    new org.apache.hadoop.fs.Path(out.resolve(file).toUri()), conf);
            String json = footer.getFileMetaData().getKeyValueMetaData().get(FeatureMetadataJson.FOOTER_KEY);
            assertThat(FeatureMetadataJson.fromJson(json, file).target().dtype())
                    .isEqualTo("fp16");
        }
    }

    /** Little-endian uint16 view of a cell, the way numpy's '<f2' reads it. */
    private record ShortBuffer(byte[] cell) {
        short get(int i) {
            return ByteBuffer.wrap(cell).order(ByteOrder.LITTLE_ENDIAN).getShort(2 * i);
        }
    }
}
