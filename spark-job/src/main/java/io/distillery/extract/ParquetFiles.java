package io.distillery.extract;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;

/** Opening Parquet writers the way every Distillery file is written, and reading footers back. */
public final class ParquetFiles {
    private ParquetFiles() {}

    /**
     * A writer that fails if the file exists; dictionary encoding is off for the packed-tensor columns (their
     * values never repeat, a dictionary would only cost time and bytes).
     */
    public static ParquetWriter<Group> create(
            Path path, MessageType schema, Configuration conf, Map<String, String> footer, Set<String> denseColumns)
            throws IOException {
        ExampleParquetWriter.Builder builder = ExampleParquetWriter.builder(RawLocalOutputFile.of(path, conf))
                .withConf(conf)
                .withType(schema)
                .withWriteMode(ParquetFileWriter.Mode.CREATE)
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .withExtraMetaData(footer);
        for (String column : denseColumns) {
            builder = builder.withDictionaryEncoding(column, false);
        }
        return builder.build();
    }

    public static ParquetMetadata footer(Path path, Configuration conf) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(path, conf))) {
            return reader.getFooter();
        }
    }

    /** The {@code key} column of a feature data file, in file order (only that column is read). */
    static java.util.List<String> keys(Path path, Configuration conf) throws IOException {
        Configuration projected = new Configuration(conf);
        projected.set(
                org.apache.parquet.hadoop.api.ReadSupport.PARQUET_READ_SCHEMA,
                "message keys { required binary " + io.distillery.features.FeatureColumns.KEY + " (UTF8); }");
        java.util.List<String> keys = new java.util.ArrayList<>();
        try (org.apache.parquet.hadoop.ParquetReader<Group> reader = org.apache.parquet.hadoop.ParquetReader.builder(
                        new org.apache.parquet.hadoop.example.GroupReadSupport(), path)
                .withConf(projected)
                .build()) {
            for (Group row = reader.read(); row != null; row = reader.read()) {
                keys.add(row.getString(io.distillery.features.FeatureColumns.KEY, 0));
            }
        }
        return keys;
    }

    public static long rowCount(Path path, Configuration conf) throws IOException {
        long rows = 0;
        for (BlockMetaData block : footer(path, conf).getBlocks()) {
            rows += block.getRowCount();
        }
        return rows;
    }
}
