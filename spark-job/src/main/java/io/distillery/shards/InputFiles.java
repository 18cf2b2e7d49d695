package io.distillery.shards;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;

/** Lists the files under an input path, leaving out hidden ones ({@code .} or {@code _} in any path segment). */
final class InputFiles {
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

    private InputFiles() {
    }

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
        // Recursive listFiles rather than a tree walk: one flat listing on object stores.
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(rootStatus.getPath(), true);
        while (it.hasNext()) {
            LocatedFileStatus status = it.next();
            String path = status.getPath().toUri().getPath();
            if (!path.startsWith(base)) {
                throw new IllegalStateException("listing of " + base + " returned " + path);
            }
            String relative = path.substring(base.length());
            if (status.isFile() && !isHidden(relative) && accept.test(relative)) {
                files.add(new InputFile(folderUri, relative, status.getLen()));
            }
        }
        files.sort(Comparator.comparing(InputFile::relativePath));
        return files;
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
