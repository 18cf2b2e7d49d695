package io.distillery.importer;

import io.distillery.files.AtomicFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes samples ({@code KEY.png} + {@code KEY.cls}) into webdataset tar shards of {@code shardSize} samples named
 * {@code PREFIX-000000.tar}, {@code PREFIX-000001.tar}, ... Each shard is written as {@code .NAME.tmp} (hidden from
 * shard listings), synced and renamed when full, so a file with a shard's name is always a whole shard. Members carry
 * a fixed time stamp and no owner, so equal input gives byte-equal shards. {@link #close()} without
 * {@link #finish()} deletes the unfinished shard.
 */
final class WebDatasetShardWriter implements AutoCloseable {
    /** Time stamp of every member (the epoch): shards do not change with the time they were written. */
    private static final long MEMBER_TIME_MILLIS = 0L;

    private final Path dir;
    private final String prefix;
    private final int shardSize;
    private final List<ShardInfo> finished = new ArrayList<>();
    private OpenShard current;
    private boolean done;

    WebDatasetShardWriter(Path dir, String prefix, int shardSize) {
        if (shardSize < 1) {
            throw new IllegalArgumentException("shard size must be at least 1, got " + shardSize);
        }
        this.dir = dir;
        this.prefix = prefix;
        this.shardSize = shardSize;
    }

    /** The name of shard {@code index}: {@code PREFIX-000123.tar}. */
    static String shardName(String prefix, int index) {
        return String.format(Locale.ROOT, "%s-%06d.tar", prefix, index);
    }

    /** Where shard {@code name} is written before it is complete. */
    static Path tmpPath(Path dir, String name) {
        return dir.resolve("." + name + ".tmp");
    }

    /** Shards finished so far. */
    List<ShardInfo> finished() {
        return List.copyOf(finished);
    }

    /** Adds one sample; its key must not contain a dot in its last path segment. */
    void add(String key, byte[] png, int label) throws IOException {
        if (done) {
            throw new IllegalStateException("writer already finished");
        }
        if (current == null) {
            current = new OpenShard(shardName(prefix, finished.size()));
        }
        current.put(key + ".png", png);
        current.put(key + ".cls", Integer.toString(label).getBytes(StandardCharsets.US_ASCII));
        current.sampleDone(key);
        if (current.samples == shardSize) {
            finished.add(current.commit());
            current = null;
        }
    }

    /** Commits the last, possibly smaller, shard and returns all shards. */
    List<ShardInfo> finish() throws IOException {
        if (current != null) {
            finished.add(current.commit());
            current = null;
        }
        done = true;
        return finished();
    }

    /** Deletes an unfinished shard's temporary file; finished shards stay. */
    @Override
    public void close() throws IOException {
        if (current != null) {
            OpenShard open = current;
            current = null;
            open.abort();
        }
    }

    /** The shard being written. */
    private final class OpenShard {
        private final String name;
        private final Path tmp;
        private final MessageDigest digest;
        private final AtomicFiles.Pending file;
        private final TarArchiveOutputStream tar;
        private int samples;
        private String firstKey;
        private String lastKey;

        OpenShard(String name) throws IOException {
            this.name = name;
            this.tmp = tmpPath(dir, name);
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JVM has no SHA-256", e);
            }
            this.file = AtomicFiles.create(dir.resolve(name), tmp);
            this.tar = new TarArchiveOutputStream(
                    new DigestOutputStream(new BufferedOutputStream(file.stream(), 1 << 16), digest));
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        }

        void put(String member, byte[] content) throws IOException {
            TarArchiveEntry entry = new TarArchiveEntry(member);
            entry.setSize(content.length);
            entry.setModTime(MEMBER_TIME_MILLIS);
            entry.setIds(0, 0);
            entry.setUserName("");
            entry.setGroupName("");
            try {
                tar.putArchiveEntry(entry);
                tar.write(content);
                tar.closeArchiveEntry();
            } catch (IOException e) {
                throw named(e);
            }
        }

        /** A write error ("No space left on device") says nothing about where: name the file. */
        private IOException named(IOException e) {
            return e instanceof java.nio.file.FileSystemException
                    ? e
                    : new IOException("writing " + tmp + " failed: " + e.getMessage(), e);
        }

        void sampleDone(String key) {
            if (firstKey == null) {
                firstKey = key;
            }
            lastKey = key;
            samples++;
        }

        ShardInfo commit() throws IOException {
            try {
                tar.finish();
                tar.close();
            } catch (IOException e) {
                throw named(e);
            }
            long bytes = file.size();
            file.commit();
            return new ShardInfo(name, samples, bytes, HexFormat.of().formatHex(digest.digest()), firstKey, lastKey);
        }

        /** Deletes the file without finishing the tar (that would fail on a half-written member). */
        void abort() throws IOException {
            file.close();
        }
    }
}
