package io.distillery.spark;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Makes a path absolute with its filesystem's scheme on the driver. Executors run in their own working directories,
 * so a relative path handed to them would point somewhere else on every executor.
 */
public final class QualifiedPaths {
    private QualifiedPaths() {}

    public static String of(String path, Configuration conf) {
        return of(null, path, conf);
    }

    /**
     * @param key the setting the path comes from, named in the error; may be null
     * @throws IllegalArgumentException when the path's filesystem cannot be reached (unknown host, no such scheme)
     */
    public static String of(String key, String path, Configuration conf) {
        try {
            Path p = new Path(path);
            return p.getFileSystem(conf).makeQualified(p).toString();
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    (key == null ? "" : key + " ") + path + ": cannot reach its filesystem (" + e + ")", e);
        }
    }
}
