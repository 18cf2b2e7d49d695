package io.distillery.shards;

import io.distillery.shards.InputFiles.InputFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ImageNet layout {@code root/<class>/<file>.{jpg,jpeg,png,webp}} (any case; files may sit deeper inside a class
 * folder). Class names are the sorted class folder names, empty ones included, as torchvision's ImageFolder sorts
 * them, so labels match. The sorted files are cut into chunks of {@code filesPerShard}: {@code folder-0000}, ...
 * Files directly under the root are ignored.
 */
final class ImageFolderListing {
    static final List<String> IMAGE_EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".webp");

    private static final Logger LOG = LoggerFactory.getLogger(ImageFolderListing.class);

    /** The shards and the class names their labels index. */
    record Listing(List<Shard> shards, List<String> classNames) {}

    private ImageFolderListing() {}

    static Listing list(FileSystem fs, Path root, int filesPerShard) throws IOException {
        FileStatus rootStatus = fs.getFileStatus(root);
        if (!rootStatus.isDirectory()) {
            throw new IllegalArgumentException("input.path " + root + " must be a folder of class folders for "
                    + ShardFormat.IMAGE_FOLDER.id() + " input");
        }
        List<FileStatus> classDirs = new ArrayList<>();
        for (FileStatus status : fs.listStatus(rootStatus.getPath())) {
            if (status.isDirectory()
                    && LocalLinks.isLink(fs, status.getPath())
                    && LocalLinks.leavesRoot(fs, rootStatus.getPath(), status.getPath())) {
                LOG.warn("not a class: {} is a link to a folder outside {}", status.getPath(), root);
            } else if (status.isDirectory()) {
                classDirs.add(status);
            }
        }
        List<String> classNames = classDirs.stream()
                .map(s -> s.getPath().getName())
                .filter(name -> !InputFiles.isHidden(name))
                .sorted()
                .toList();
        List<InputFile> files = InputFiles.list(
                fs,
                rootStatus.getPath(),
                path -> path.contains("/") && InputFiles.hasExtension(path, IMAGE_EXTENSIONS));
        requireUniqueKeys(files);
        warnAboutEmptyClasses(classNames, files);

        String rootUri = rootStatus.getPath().toString();
        int chunks = (files.size() + filesPerShard - 1) / filesPerShard;
        List<Shard> shards = new ArrayList<>();
        for (int chunk = 0; chunk < chunks; chunk++) {
            List<InputFile> members =
                    files.subList(chunk * filesPerShard, Math.min(files.size(), (chunk + 1) * filesPerShard));
            shards.add(new Shard(
                    "folder-" + ShardIds.padded(chunk, chunks, 4),
                    rootUri,
                    ShardFormat.IMAGE_FOLDER,
                    members.stream().mapToLong(InputFile::length).sum(),
                    members.size(),
                    0,
                    1,
                    members.stream().map(InputFile::relativePath).toList()));
        }
        return new Listing(shards, classNames);
    }

    /**
     * Keys are relative paths without extension, so {@code a/x.jpg} and {@code a/x.png} would share one. Files sort by
     * relative path, so a class folder's files are consecutive and one class at a time needs remembering.
     */
    private static void requireUniqueKeys(List<InputFile> files) {
        Set<String> classKeys = new HashSet<>();
        String currentClass = null;
        for (InputFile file : files) {
            String path = file.relativePath();
            String className = path.substring(0, path.indexOf('/'));
            if (!className.equals(currentClass)) {
                classKeys.clear();
                currentClass = className;
            }
            if (!classKeys.add(ShardIds.withoutExtension(path))) {
                throw new IllegalArgumentException(
                        "image folder " + file.uri() + " has another image with the same name "
                                + "but a different extension; sample keys (paths without extension) must be unique");
            }
        }
    }

    private static void warnAboutEmptyClasses(List<String> classNames, List<InputFile> files) {
        Set<String> withImages = new HashSet<>();
        for (InputFile file : files) {
            withImages.add(file.relativePath().substring(0, file.relativePath().indexOf('/')));
        }
        List<String> empty =
                classNames.stream().filter(c -> !withImages.contains(c)).toList();
        if (!empty.isEmpty()) {
            LOG.warn(
                    "{} of {} class folders hold no images, their labels stay unused: {}",
                    empty.size(),
                    classNames.size(),
                    empty.subList(0, Math.min(10, empty.size())));
        }
    }
}
