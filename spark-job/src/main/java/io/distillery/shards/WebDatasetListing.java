package io.distillery.shards;

import io.distillery.shards.InputFiles.InputFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One shard per {@code *.tar} under the input path (or the path itself if it is a tar). Sample counts are estimated
 * from file sizes and the bytes per sample of the first tar ({@link TarSampleSize}).
 */
final class WebDatasetListing {
    private WebDatasetListing() {}

    static List<Shard> shards(FileSystem fs, Path root) throws IOException {
        List<InputFile> tars = InputFiles.list(fs, root, path -> InputFiles.hasExtension(path, List.of(".tar")));
        List<Shard> shards = new ArrayList<>();
        if (tars.isEmpty()) {
            return shards;
        }
        double bytesPerSample =
                TarSampleSize.bytesPerSample(fs, new Path(tars.get(0).uri()));
        for (InputFile tar : tars) {
            shards.add(new Shard(
                    ShardIds.ofFile(tar.relativePath()),
                    tar.uri(),
                    ShardFormat.WEBDATASET,
                    tar.length(),
                    Math.round(tar.length() / bytesPerSample),
                    0,
                    1,
                    List.of()));
        }
        return shards;
    }
}
