package io.distillery.spark;

import io.distillery.provenance.Sha256;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** SHA-256 of a file on any Hadoop filesystem, read where it lies (no local copy of a checkpoint on HDFS). */
public final class FileDigests {
    private FileDigests() {}

    public static String sha256(String path, Configuration conf) throws IOException {
        Path p = new Path(path);
        try (InputStream in = p.getFileSystem(conf).open(p)) {
            return Sha256.of(in);
        }
    }
}
