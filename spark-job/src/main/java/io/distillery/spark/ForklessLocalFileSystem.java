package io.distillery.spark;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * The local filesystem under the scheme {@value #SCHEME}, for scratch files that are written by the thousand: the
 * batches dl4j-spark exports before training. Hadoop's {@code file:} filesystem (without its native library, which
 * Spark's Hadoop client does not ship) forks a {@code chmod} for every file it creates and writes a {@code .crc}
 * file beside it (and forks an {@code ls -ld} when a listing asks for permissions): 10-28 ms per file measured on the 2-core build machine, against 0.6 ms through java.nio, so an
 * epoch of 15 000 exported batches spent more than two minutes forking before its first step. This one sets
 * permissions through java.nio instead and keeps no checksum files (the batches live for one run).
 * Registered through {@code META-INF/services}, so every JVM with Distillery's jar resolves the scheme.
 */
public final class ForklessLocalFileSystem extends RawLocalFileSystem {
    public static final String SCHEME = "distillery-local";

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
        Files.setPosixFilePermissions(
                pathToFile(p).toPath(),
                PosixFilePermissions.fromString(permission.toString().substring(0, 9)));
    }

    /** File status from java.nio: Hadoop's forks {@code ls -ld} for the permissions and needs a {@code file:} URI. */
    @Override
    public FileStatus getFileStatus(Path f) throws IOException {
        File file = pathToFile(f);
        if (!file.exists()) {
            throw new FileNotFoundException("File " + f + " does not exist");
        }
        return status(file, makeQualified(f));
    }

    @Override
    public FileStatus[] listStatus(Path f) throws IOException {
        File dir = pathToFile(f);
        if (!dir.exists()) {
            throw new FileNotFoundException("File " + f + " does not exist");
        }
        if (!dir.isDirectory()) {
            return new FileStatus[] {getFileStatus(f)};
        }
        String[] names = dir.list();
        if (names == null) {
            throw new IOException("cannot list " + f);
        }
        Arrays.sort(names);
        Path qualified = makeQualified(f);
        FileStatus[] out = new FileStatus[names.length];
        for (int i = 0; i < names.length; i++) {
            out[i] = status(new File(dir, names[i]), new Path(qualified, names[i]));
        }
        return out;
    }

    private FileStatus status(File file, Path qualified) throws IOException {
        PosixFileAttributes a = Files.readAttributes(file.toPath(), PosixFileAttributes.class);
        short mode = 0;
        for (PosixFilePermission bit : a.permissions()) {
            mode |= (short) (0400 >> bit.ordinal()); // OWNER_READ .. OTHERS_EXECUTE in rwxrwxrwx order
        }
        return new FileStatus(
                a.size(),
                a.isDirectory(),
                1,
                getDefaultBlockSize(qualified),
                a.lastModifiedTime().toMillis(),
                a.lastAccessTime().toMillis(),
                new FsPermission(mode),
                a.owner().getName(),
                a.group().getName(),
                qualified);
    }

    /** {@code path} on this filesystem when it is a local {@code file:} path; otherwise {@code path} itself. */
    public static String forLocal(Path path) {
        URI uri = path.toUri();
        return "file".equals(uri.getScheme()) ? SCHEME + "://" + uri.getPath() : path.toString();
    }
}
