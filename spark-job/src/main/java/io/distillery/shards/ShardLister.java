package io.distillery.shards;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Lists the shards of a dataset on the driver, on any Hadoop filesystem. */
public final class ShardLister {
    private static final Logger LOG = LoggerFactory.getLogger(ShardLister.class);

    private ShardLister() {}

    /**
     * The shards of {@code options.path()}, sorted by id.
     *
     * @throws IllegalArgumentException when the path does not exist, holds no input of the format, or does not fit it
     */
    public static ShardPlan list(InputOptions options, Configuration conf) throws IOException {
        Path root = new Path(options.path());
        FileSystem fs = root.getFileSystem(conf);
        if (!fs.exists(root)) {
            throw new IllegalArgumentException("input.path " + options.path() + " does not exist");
        }
        List<Shard> shards = new ArrayList<>();
        List<String> classNames = List.of();
        switch (options.format()) {
            case WEBDATASET -> shards.addAll(WebDatasetListing.shards(fs, root));
            case IMAGE_FOLDER -> {
                ImageFolderListing.Listing listing = ImageFolderListing.list(fs, root, options.filesPerShard());
                shards.addAll(listing.shards());
                classNames = listing.classNames();
            }
            case PARQUET -> shards.addAll(ParquetListing.shards(fs, root, options, conf));
            case TEXT_LINES -> shards.addAll(TextLinesListing.shards(fs, root));
        }
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("input.path " + options.path() + " holds no "
                    + options.format().id() + " input (" + expected(options.format()) + ")");
        }
        shards.sort(Comparator.comparing(Shard::id));
        ShardIds.requireUnique(shards);
        long samples = shards.stream().mapToLong(Shard::estimatedSamples).sum();
        LOG.info(
                "{} input {}: {} shards, {}{} samples{}",
                options.format().id(),
                options.path(),
                shards.size(),
                options.format() == ShardFormat.WEBDATASET ? "~" : "",
                samples,
                classNames.isEmpty() ? "" : ", " + classNames.size() + " classes");
        return new ShardPlan(shards, classNames, samples);
    }

    private static String expected(ShardFormat format) {
        return switch (format) {
            case WEBDATASET -> "*.tar files";
            case IMAGE_FOLDER ->
                "class folders holding " + String.join(", ", ImageFolderListing.IMAGE_EXTENSIONS) + " files";
            case PARQUET -> "*.parquet files with rows";
            case TEXT_LINES -> "*.txt files";
        };
    }
}
