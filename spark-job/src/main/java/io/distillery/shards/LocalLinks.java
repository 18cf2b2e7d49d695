package io.distillery.shards;

import java.io.IOException;
import java.nio.file.Files;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Symbolic links on the local filesystem (Hadoop follows them silently; HDFS has them disabled): a link that leads
 * outside the input root must not be followed, or {@code input.path} could read any file the job can (a link to
 * {@code /etc/passwd}) or turn a foreign folder into a class.
 */
final class LocalLinks {
    private LocalLinks() {}

    static boolean isLocal(FileSystem fs) {
        return fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem;
    }

    /** Whether {@code path} (under {@code root}) resolves, through any link, to a place outside {@code root}. */
    static boolean leavesRoot(FileSystem fs, Path root, Path path) throws IOException {
        if (!isLocal(fs)) {
            return false;
        }
        java.nio.file.Path local = local(fs, path);
        if (!Files.isSymbolicLink(local) && !Files.exists(local, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return false; // vanished: reading it reports that
        }
        java.nio.file.Path real;
        try {
            real = local.toRealPath();
        } catch (java.nio.file.NoSuchFileException e) {
            return true; // a dangling link leads nowhere inside the root either
        }
        return !real.startsWith(local(fs, root).toRealPath());
    }

    /** Cheap pre-check for listings: only links need {@link #leavesRoot}. */
    static boolean isLink(FileSystem fs, Path path) {
        return isLocal(fs) && Files.isSymbolicLink(local(fs, path));
    }

    private static java.nio.file.Path local(FileSystem fs, Path path) {
        return java.nio.file.Path.of(fs.makeQualified(path).toUri());
    }
}
