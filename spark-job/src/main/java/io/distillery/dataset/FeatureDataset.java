package io.distillery.dataset;

import io.distillery.features.DatasetStatus;
import io.distillery.features.FeatureFormatException;
import io.distillery.features.FeatureMetadata;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Opens a feature dataset for reading: checks its format version and that it is complete (a partial dataset is
 * refused unless explicitly allowed), then exposes the rows as a Spark DataFrame with the metadata beside them.
 */
public record FeatureDataset(String path, DatasetStatus status, Dataset<Row> rows) {

    public FeatureMetadata metadata() {
        return status.metadata();
    }

    public static FeatureDataset open(SparkSession spark, String path, boolean allowPartial) throws IOException {
        DatasetLayout layout = new DatasetLayout(path);
        Path json = layout.datasetJson();
        FileSystem fs = json.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!fs.exists(json)) {
            throw new FeatureFormatException(path + ": not a Distillery feature dataset (no " + json + ")");
        }
        DatasetStatus status;
        try (InputStream in = fs.open(json)) {
            status = DatasetStatus.read(in, json.toString());
        }
        if (!status.complete() && !allowPartial) {
            throw new FeatureFormatException(path + ": feature dataset is " + status.status()
                    + " (an extract job has not finished it); rerun the extract job to complete it");
        }
        Dataset<Row> rows = spark.read().parquet(layout.dataDir().toString());
        return new FeatureDataset(path, status, rows);
    }
}
