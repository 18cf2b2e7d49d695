package io.distillery.shards;

import io.distillery.shards.InputFiles.InputFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * One shard per {@code *.txt} file under the input path (or the path itself if it is one). Counting lines would read
 * every file on the driver, so sample counts are estimated from the size (progress only; the commit records count).
 */
final class TextLinesListing {
    /** A guess of the bytes per line, for progress estimates only. */
    private static final long BYTES_PER_LINE = 64;

    private TextLinesListing() {}

    static List<Shard> shards(FileSystem fs, Path root) throws IOException {
        List<Shard> shards = new ArrayList<>();
        for (InputFile file : InputFiles.list(fs, root, path -> InputFiles.hasExtension(path, List.of(".txt")))) {
            shards.add(new Shard(
                    ShardIds.ofFile(file.relativePath()),
                    file.uri(),
                    ShardFormat.TEXT_LINES,
                    file.length(),
                    Math.max(1, file.length() / BYTES_PER_LINE),
                    0,
                    1,
                    List.of()));
        }
        return shards;
    }
}
