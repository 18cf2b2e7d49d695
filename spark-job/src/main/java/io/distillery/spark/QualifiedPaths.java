package io.distillery.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Makes a path absolute with its filesystem's scheme on the driver. Executors run in their own working directories,
 * so a relative path handed to them would point somewhere else on every executor.
 */
public final class QualifiedPaths {
    private QualifiedPaths() {
    }

    public static String of(String path, Configuration conf) {
        try {
            Path p = new Path(path);
            return p.getFileSystem(conf).makeQualified(p).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": " + e.getMessage(), e);
        }
    }
}
