package io.distillery.shards;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.RemoteIterator;

/** Lists the files under an input path, leaving out hidden ones ({@code .} or {@code _} in any path segment). */
final class InputFiles {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(InputFiles.class);
    /**
     * A listed file; the folder's path is shared, not repeated, as image folders can list millions of files.
     *
     * @param folderUri    the listed folder, or the parent of a listed file
     * @param relativePath relative to {@code folderUri} with {@code /} separators
     */
    record InputFile(String folderUri, String relativePath, long length) {
        /** The file's full Hadoop path. */
        String uri() {
            return folderUri.endsWith("/") ? folderUri + relativePath : folderUri + "/" + relativePath;
        }
    }

    private InputFiles() {}

    /** Files whose relative path passes {@code accept}, sorted by relative path; a root that is a file is listed alone. */
    static List<InputFile> list(FileSystem fs, Path root, Predicate<String> accept) throws IOException {
        FileStatus rootStatus = fs.getFileStatus(root);
        List<InputFile> files = new ArrayList<>();
        if (rootStatus.isFile()) {
            Path file = rootStatus.getPath();
            if (accept.test(file.getName())) {
                files.add(new InputFile(file.getParent().toString(), file.getName(), rootStatus.getLen()));
            }
            return files;
        }
        String folderUri = rootStatus.getPath().toString();
        String base = withTrailingSlash(rootStatus.getPath().toUri().getPath());
        for (FileStatus status : fileStatuses(fs, rootStatus.getPath())) {
            String path = status.getPath().toUri().getPath();
            if (!path.startsWith(base)) {
                throw new IllegalStateException("listing of " + base + " returned " + path);
            }
            String relative = path.substring(base.length());
            if (!isHidden(relative) && accept.test(relative)) {
                files.add(new InputFile(folderUri, relative, status.getLen()));
            }
        }
        files.sort(Comparator.comparing(InputFile::relativePath));
        return files;
    }

    /**
     * Every file under a folder. Object stores and HDFS get one recursive {@code listFiles} (a flat listing on S3).
     * The local filesystem gets a tree walk of plain statuses instead: without Hadoop's native library, each
     * {@code LocatedFileStatus} it builds forks {@code ls -ld} to read the file's permissions, which made listing
     * 1,000 local files take seconds.
     */
    private static List<FileStatus> fileStatuses(FileSystem fs, Path folder) throws IOException {
        List<FileStatus> out = new ArrayList<>();
        if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
            walk(fs, folder, folder, out);
            return out;
        }
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(folder, true);
        while (it.hasNext()) {
            LocatedFileStatus status = it.next();
            if (status.isFile()) {
                out.add(status);
            }
        }
        return out;
    }

    /**
     * Folder links leading outside {@code root} are not entered; file links are listed whatever their target, so
     * that the reader counts one leading outside as a reject rather than letting it vanish.
     */
    private static void walk(FileSystem fs, Path root, Path folder, List<FileStatus> out) throws IOException {
        for (FileStatus status : fs.listStatus(folder)) {
            if (status.isDirectory()) {
                if (LocalLinks.isLink(fs, status.getPath()) && LocalLinks.leavesRoot(fs, root, status.getPath())) {
                    LOG.warn("not following {}: a link to a folder outside {}", status.getPath(), root);
                    continue;
                }
                walk(fs, root, status.getPath(), out);
            } else if (status.isFile()) {
                out.add(status);
            }
        }
    }

    /** Whether any segment of a relative path starts with {@code .} or {@code _} (_SUCCESS, .crc files, _temporary/). */
    static boolean isHidden(String relativePath) {
        for (String segment : relativePath.split("/")) {
            if (segment.startsWith(".") || segment.startsWith("_")) {
                return true;
            }
        }
        return false;
    }

    /** Whether a name ends with one of the lower-case extensions (each with its dot), ignoring case. */
    static boolean hasExtension(String name, List<String> extensions) {
        String lower = name.toLowerCase(Locale.ROOT);
        return extensions.stream().anyMatch(lower::endsWith);
    }

    private static String withTrailingSlash(String path) {
        return path.endsWith("/") ? path : path + "/";
    }
}
