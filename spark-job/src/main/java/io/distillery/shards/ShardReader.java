package io.distillery.shards;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/**
 * Streams the raw samples of one shard, on an executor; one sample in memory at a time (Parquet: one row group).
 *
 * <p>{@link #hasNext()} and {@link #next()} throw {@link ShardCorruptException} for damaged content and
 * {@link UncheckedIOException} for filesystem errors; a reader never ends early without one of them.
 */
public interface ShardReader extends Iterator<RawSample>, AutoCloseable {
    /**
     * Opens a reader for {@code shard}.
     *
     * @param options    the options the shard was listed with (Parquet column names)
     * @param classNames {@link ShardPlan#classNames()}: image folders take labels from it; ignored otherwise
     */
    static ShardReader open(Shard shard, InputOptions options, List<String> classNames, Configuration conf)
            throws IOException {
        return switch (shard.format()) {
            case WEBDATASET -> new WebDatasetReader(shard, options.modality(), conf);
            case IMAGE_FOLDER -> new ImageFolderReader(shard, classNames, conf);
            case PARQUET -> new ParquetShardReader(shard, options, conf);
            case TEXT_LINES -> new TextLinesReader(shard, options.lineLabels(), conf);
        };
    }

    /**
     * Samples so far without an image (webdataset: no image member; Parquet: null image); each was returned as a
     * {@link SampleProblem#NO_IMAGE} reject, never dropped.
     */
    long withoutImage();

    @Override
    void close() throws IOException;
}
