package io.distillery.shards;

import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;

/**
 * Reads the rows of a Parquet shard's row groups {@code [first, end)} and nothing else, so the splits of one file
 * partition its rows; one row group is in memory at a time. Rows with a null image are returned as rejects.
 * Row indices (in generated keys and image names) count from the start of the file, so they are unique across splits.
 * Text input reads the text column instead of the image: each sample's caption is its text.
 */
final class ParquetShardReader extends LookaheadReader {
    private final String uri;
    private final String fileName;
    private final String fileStem;
    private final ParquetFileReader file;
    private final ParquetColumns columns;
    private final MessageColumnIO columnIO;
    private final int endRowGroup;
    private final boolean text;
    private int nextRowGroup;
    private RecordReader<Group> rows;
    private long rowsLeftInGroup;
    private long rowIndex;
    private long skipped;

    ParquetShardReader(Shard shard, InputOptions options, Configuration conf) throws IOException {
        Path path = new Path(shard.uri());
        this.uri = shard.uri();
        this.fileName = path.getName();
        this.fileStem = fileName.endsWith(".parquet") ? fileName.substring(0, fileName.length() - 8) : fileName;
        this.text = options.modality() == Modality.TEXT;
        this.file = ParquetFileReader.open(HadoopInputFile.fromPath(path, conf));
        try {
            MessageType schema = file.getFooter().getFileMetaData().getSchema();
            this.columns = ParquetColumns.resolve(schema, options, uri);
            file.setRequestedSchema(columns.projection());
            this.columnIO = new ColumnIOFactory().getColumnIO(columns.projection(), schema);
            List<BlockMetaData> rowGroups = file.getRowGroups();
            this.nextRowGroup = shard.firstRowGroup();
            this.endRowGroup = shard.endRowGroup();
            if (endRowGroup > rowGroups.size()) {
                throw new ShardCorruptException(uri + " has " + rowGroups.size() + " row groups but shard " + shard.id()
                        + " reads [" + nextRowGroup + ", " + endRowGroup + "); did the file change after listing?");
            }
            for (BlockMetaData earlier : rowGroups.subList(0, nextRowGroup)) {
                rowIndex += earlier.getRowCount();
            }
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    @Override
    protected RawSample fetch() throws IOException {
        while (true) {
            while (rowsLeftInGroup == 0) {
                if (nextRowGroup >= endRowGroup) {
                    return null;
                }
                openRowGroup(nextRowGroup++);
            }
            Group row = readRow();
            long index = rowIndex++;
            byte[] image = columns.image(row);
            String key = columns.key(row);
            key = key != null ? key : fileStem + ":" + index;
            if (text) {
                // a null or blank text is screened (and rejected) by the text extractor, naming this row
                return new RawSample(key, null, fileName + "#" + index, columns.label(row, index), columns.text(row));
            }
            if (image == null) {
                skipped++;
                return RawSample.rejected(
                        key, fileName + "#" + index, SampleProblem.NO_IMAGE, "row " + index + " has no image bytes");
            }
            return new RawSample(key, image, fileName + "#" + index, columns.label(row, index), columns.caption(row));
        }
    }

    private void openRowGroup(int index) throws IOException {
        try {
            PageReadStore pages = file.readRowGroup(index);
            rows = columnIO.getRecordReader(pages, new GroupRecordConverter(columns.projection()));
            rowsLeftInGroup = pages.getRowCount();
        } catch (RuntimeException e) {
            throw new ShardCorruptException(uri + ": cannot read row group " + index + ": " + e.getMessage(), e);
        }
    }

    private Group readRow() {
        try {
            rowsLeftInGroup--;
            return rows.read();
        } catch (RuntimeException e) {
            throw new ShardCorruptException(uri + ": cannot decode row " + rowIndex + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long withoutImage() {
        return skipped;
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
