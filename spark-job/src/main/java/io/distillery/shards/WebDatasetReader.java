package io.distillery.shards;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Reads a webdataset tar: consecutive members sharing a key form one sample (see {@link WebDatasetName}); directories,
 * links and members without an extension are ignored; samples without an image are skipped and counted.
 */
final class WebDatasetReader extends LookaheadReader {
    /** Members are read into one array. */
    private static final long MAX_MEMBER_BYTES = Integer.MAX_VALUE - 8;

    private record Member(WebDatasetName name, String path, byte[] content) {
    }

    private final String uri;
    private final String tarName;
    private final StrictTarInputStream tar;
    /** Keys of finished samples: a key seen again means the tar is not grouped by key. */
    private final Set<String> finishedKeys = new HashSet<>();
    /** The first member of the next sample, read while looking for the end of the current one. */
    private Member pending;
    private String lastMemberPath = "(none)";
    private long skipped;

    WebDatasetReader(Shard shard, Configuration conf) throws IOException {
        Path path = new Path(shard.uri());
        this.uri = shard.uri();
        this.tarName = path.getName();
        this.tar = new StrictTarInputStream(new BufferedInputStream(path.getFileSystem(conf).open(path), 1 << 16));
    }

    @Override
    protected RawSample fetch() throws IOException {
        while (true) {
            Member first = pending != null ? pending : nextMember();
            pending = null;
            if (first == null) {
                return null;
            }
            String key = first.name().key();
            if (!finishedKeys.add(key)) {
                throw new ShardCorruptException(uri + ": member '" + first.path() + "' belongs to sample '" + key
                        + "', whose other members came earlier; members of a sample must be consecutive");
            }
            WebDatasetSample sample = new WebDatasetSample(uri, tarName, key);
            Member member = first;
            while (member != null && member.name().key().equals(key)) {
                sample.add(member.name(), member.path(), member.content());
                member = nextMember();
            }
            pending = member;
            RawSample raw = sample.toRawSample();
            if (raw != null) {
                return raw;
            }
            skipped++;
        }
    }

    /** The next regular member with a webdataset name, its content read if the sample uses it; null at the end. */
    private Member nextMember() throws IOException {
        try {
            TarArchiveEntry entry;
            while ((entry = tar.getNextTarEntry()) != null) {
                WebDatasetName name = WebDatasetName.parse(entry.getName());
                if (!entry.isFile() || name == null) {
                    continue;
                }
                lastMemberPath = entry.getName();
                return new Member(name, entry.getName(), WebDatasetSample.uses(name) ? content(entry) : null);
            }
            return null;
        } catch (IOException e) {
            if (e instanceof StrictTarInputStream.SourceException) {
                throw new IOException("reading " + uri + " failed: " + e.getMessage(), e.getCause());
            }
            throw new ShardCorruptException(uri + ": truncated or corrupt tar (last member read: '" + lastMemberPath
                    + "'): " + e.getMessage(), e);
        }
    }

    private byte[] content(TarArchiveEntry entry) throws IOException {
        if (entry.getSize() > MAX_MEMBER_BYTES) {
            throw new ShardCorruptException(uri + ": member '" + entry.getName() + "' has " + entry.getSize()
                    + " bytes, more than a sample member can have");
        }
        return tar.readAllBytes();
    }

    @Override
    public long skippedWithoutImage() {
        return skipped;
    }

    @Override
    public void close() throws IOException {
        tar.close();
    }
}
