package io.distillery.files;

import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way Distillery writes a local file that readers may open at any time: the content goes to a temporary
 * sibling, is synced to disk, and only then renamed over the target, so a reader (or a crash) finds the whole old
 * file or the whole new one, never a part. The sync comes first because a rename can reach the disk before the
 * data it names; the temporary file is in the same folder so the rename cannot cross filesystems.
 */
public final class AtomicFiles {
    private static final Logger LOG = LoggerFactory.getLogger(AtomicFiles.class);

    private AtomicFiles() {}

    /** Writes a file's content into the stream it is given. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Writes {@code bytes} as {@code file}, creating missing parent folders and replacing an existing file. */
    public static void write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        write(file, out -> out.write(bytes));
    }

    /** Writes {@code file} (its folder must exist) with {@code content}, replacing an existing file. */
    public static void write(Path file, Content content) throws IOException {
        try (Pending pending = create(file)) {
            content.writeTo(pending.stream());
            pending.commit();
        }
    }

    /** Starts writing {@code file} under a fresh hidden temporary name beside it. */
    public static Pending create(Path file) throws IOException {
        Path target = file.toAbsolutePath();
        // Not Files.createTempFile: its owner-only permissions would carry over to the final file.
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        return new Pending(target, tmp, StandardOpenOption.CREATE_NEW);
    }

    /**
     * Starts writing {@code file} under the caller's temporary name {@code tmp} (in the same folder), replacing
     * whatever an earlier, interrupted writer left there.
     */
    public static Pending create(Path file, Path tmp) throws IOException {
        return new Pending(file.toAbsolutePath(), tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** Syncs a folder, so that a rename in it survives a crash; a platform that cannot is logged, not an error. */
    public static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            LOG.debug("could not fsync directory {}: {}", dir, e.toString());
        }
    }

    /**
     * A file being written under its temporary name. {@link #commit()} makes it the target; {@link #close()} without
     * a commit deletes the temporary file, so a failed write leaves the old target and nothing else.
     */
    public static final class Pending implements Closeable {
        private final Path target;
        private final Path tmp;
        private final FileChannel channel;
        private final OutputStream stream;
        private boolean committed;

        private Pending(Path target, Path tmp, OpenOption... create) throws IOException {
            this.target = target;
            this.tmp = tmp;
            OpenOption[] options = java.util.Arrays.copyOf(create, create.length + 1);
            options[create.length] = StandardOpenOption.WRITE;
            this.channel = FileChannel.open(tmp, options);
            OutputStream raw = Channels.newOutputStream(channel);
            // closing a wrapper (gzip, tar, buffer) finishes it but must leave the file open for commit()
            this.stream = new FilterOutputStream(raw) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    flush();
                }
            };
        }

        /** The temporary file. */
        public Path tmp() {
            return tmp;
        }

        /** Writes to the temporary file, unbuffered; closing it does not close the file. */
        public OutputStream stream() {
            return stream;
        }

        /** Bytes written so far. */
        public long size() throws IOException {
            return channel.size();
        }

        /** Syncs the temporary file and renames it over the target. */
        public void commit() throws IOException {
            channel.force(true);
            channel.close();
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            committed = true;
        }

        /** Deletes the temporary file unless committed. */
        @Override
        public void close() throws IOException {
            if (committed) {
                return;
            }
            try {
                channel.close();
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
