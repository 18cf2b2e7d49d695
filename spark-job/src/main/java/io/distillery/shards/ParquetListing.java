package io.distillery.shards;

import io.distillery.shards.InputFiles.InputFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard per {@code *.parquet} file, or, for files with more than {@code rowGroupsPerSplit} row groups, one per run
 * of that many row groups: {@code train-00003.r0-3}, {@code train-00003.r4-7}, ... (inclusive row-group numbers).
 * Footers give exact row counts; every file's schema is checked against the configured columns here, on the driver,
 * so a wrong column name fails before any task starts. Files without rows are left out.
 */
final class ParquetListing {
    private static final Logger LOG = LoggerFactory.getLogger(ParquetListing.class);

    private ParquetListing() {}

    static List<Shard> shards(FileSystem fs, Path root, InputOptions options, Configuration conf) throws IOException {
        List<Shard> shards = new ArrayList<>();
        for (InputFile file : InputFiles.list(fs, root, path -> InputFiles.hasExtension(path, List.of(".parquet")))) {
            ParquetMetadata footer = footer(file, conf);
            ParquetColumns.resolve(footer.getFileMetaData().getSchema(), options, file.uri());
            List<BlockMetaData> rowGroups = footer.getBlocks();
            if (rowGroups.isEmpty()) {
                LOG.info("{} has no rows; left out", file.uri());
                continue;
            }
            String stem = ShardIds.ofFile(file.relativePath());
            int perSplit = options.rowGroupsPerSplit();
            int splits = (rowGroups.size() + perSplit - 1) / perSplit;
            for (int split = 0; split < splits; split++) {
                int first = split * perSplit;
                int end = Math.min(rowGroups.size(), first + perSplit);
                List<BlockMetaData> range = rowGroups.subList(first, end);
                String id = splits == 1
                        ? stem
                        : stem + ".r" + ShardIds.padded(first, rowGroups.size(), 1) + "-"
                                + ShardIds.padded(end - 1, rowGroups.size(), 1);
                shards.add(Shard.parquet(
                        id,
                        file.uri(),
                        range.stream()
                                .mapToLong(BlockMetaData::getCompressedSize)
                                .sum(),
                        range.stream().mapToLong(BlockMetaData::getRowCount).sum(),
                        split,
                        splits,
                        first,
                        end));
            }
        }
        return shards;
    }

    private static ParquetMetadata footer(InputFile file, Configuration conf) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(new Path(file.uri()), conf))) {
            return reader.getFooter();
        } catch (RuntimeException e) {
            // parquet-mr reports a damaged footer or a wrong magic number as a RuntimeException.
            throw new IOException("cannot read the Parquet footer of " + file.uri() + ": " + e.getMessage(), e);
        }
    }
}
