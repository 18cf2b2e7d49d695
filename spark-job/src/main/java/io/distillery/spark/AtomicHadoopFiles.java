package io.distillery.spark;

import java.io.IOException;
import java.io.OutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The one way Distillery publishes files and folders on a Hadoop filesystem (HDFS, S3A, local) that readers may open
 * at any time: everything is written under a temporary name and renamed into place, the one atomic step these
 * filesystems share. HDFS's rename never replaces its target, so replacing is delete-then-rename for a file (whose
 * delete is atomic) and move-aside for a folder (whose recursive delete is not). Local files that are not on a Hadoop
 * path use {@code io.distillery.files.AtomicFiles}.
 */
public final class AtomicHadoopFiles {
    private AtomicHadoopFiles() {}

    /** Writes a file's content into the stream it is given. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code target} through a hidden temporary sibling, creating its folder and replacing an existing file. */
    public static void write(FileSystem fs, Path target, Content content) throws IOException {
        Path tmp = new Path(target.getParent(), "." + target.getName() + "." + System.nanoTime());
        fs.mkdirs(target.getParent());
        try {
            try (OutputStream out = fs.create(tmp, false)) {
                content.writeTo(out);
            }
            replace(fs, tmp, target);
        } catch (IOException | RuntimeException e) {
            try {
                fs.delete(tmp, false);
            } catch (IOException deleting) {
                e.addSuppressed(deleting);
            }
            throw e;
        }
    }

    /**
     * Moves the finished file {@code tmp} over {@code target}. Between the delete and the rename a reader finds no
     * target; a reader that must never miss it reads {@code tmp} then.
     */
    public static void replace(FileSystem fs, Path tmp, Path target) throws IOException {
        if (fs.exists(target)) {
            fs.delete(target, false);
        }
        publish(fs, tmp, target);
    }

    /** Renames the finished file or folder {@code tmp} to {@code target}, which must not exist. */
    public static void publish(FileSystem fs, Path tmp, Path target) throws IOException {
        if (!fs.rename(tmp, target)) {
            throw new IOException("could not rename " + tmp + " to " + target);
        }
    }

    /**
     * Moves the finished folder {@code tmp} over {@code target}. An earlier folder is moved aside whole and deleted
     * only after the rename, never deleted in place: a recursive delete removes file by file, so an interruption (or
     * a reader) could meet a folder with only some of its files. If the rename fails, the earlier folder is put back.
     */
    public static void replaceFolder(FileSystem fs, Path tmp, Path target) throws IOException {
        Path old = new Path(target.getParent(), "_old-" + target.getName() + "-" + System.nanoTime());
        boolean replacing = fs.exists(target);
        if (replacing && !fs.rename(target, old)) {
            throw new IOException("could not move the earlier " + target + " aside to " + old);
        }
        if (!fs.rename(tmp, target)) {
            if (replacing) {
                fs.rename(old, target);
            }
            throw new IOException("could not rename " + tmp + " to " + target);
        }
        if (replacing) {
            fs.delete(old, true);
        }
    }

    /**
     * Gives the finished file {@code tmp} the name {@code target} unless that exists: of two callers racing for one
     * name exactly one wins. A hard link on the local filesystem (whose rename would replace the target), a rename on
     * HDFS (which refuses an existing target). {@code tmp} is gone afterwards either way.
     *
     * @return false when {@code target} already existed
     */
    public static boolean publishIfAbsent(FileSystem fs, Path tmp, Path target) throws IOException {
        try {
            if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
                java.nio.file.Path name =
                        java.nio.file.Path.of(fs.makeQualified(target).toUri());
                java.nio.file.Path source =
                        java.nio.file.Path.of(fs.makeQualified(tmp).toUri());
                try {
                    java.nio.file.Files.createLink(name, source);
                    return true;
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    return false;
                } catch (UnsupportedOperationException | java.nio.file.FileSystemException noHardLinks) {
                    try { // a filesystem without hard links: a move that refuses an existing target
                        java.nio.file.Files.move(source, name);
                        return true;
                    } catch (java.nio.file.FileAlreadyExistsException e) {
                        return false;
                    }
                }
            }
            return fs.rename(tmp, target);
        } finally {
            fs.delete(tmp, false); // (after a rename: already gone)
        }
    }
}
