package io.distillery.extract;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.hadoop.util.HadoopStreams;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * Parquet output on the local filesystem through the raw one. Hadoop's checksummed local filesystem, without its
 * native library, forks {@code chmod} for every file it creates (the file and its {@code .crc}), a few milliseconds
 * each per shard, for a checksum Spark does not need. Other filesystems get Parquet's own {@link HadoopOutputFile}.
 */
final class RawLocalOutputFile implements OutputFile {
    private final FileSystem raw;
    private final Path path;

    private RawLocalOutputFile(FileSystem raw, Path path) {
        this.raw = raw;
        this.path = path;
    }

    static OutputFile of(Path path, Configuration conf) throws IOException {
        FileSystem fs = path.getFileSystem(conf);
        return fs instanceof LocalFileSystem local
                ? new RawLocalOutputFile(creating(local), path)
                : HadoopOutputFile.fromPath(path, conf);
    }

    /** The filesystem to create files with: the raw one under a local checksummed filesystem, else {@code fs}. */
    static FileSystem creating(FileSystem fs) {
        return fs instanceof LocalFileSystem local ? local.getRawFileSystem() : fs;
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) throws IOException {
        return HadoopStreams.wrap(raw.create(path, false));
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
        return HadoopStreams.wrap(raw.create(path, true));
    }

    @Override
    public boolean supportsBlockSize() {
        return false;
    }

    @Override
    public long defaultBlockSize() {
        return 0;
    }

    @Override
    public String getPath() {
        return path.toString();
    }
}
