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
 * links and members without an extension are ignored. A sample without an image is returned as a reject; a member
 * whose extension the sample already has starts a second copy of the sample under the same key, which the extract
 * job rejects as a duplicate (never silently dropped). Members of one key separated by another key are an error.
 */
final class WebDatasetReader extends LookaheadReader {
    /** Members are read into one array. */
    private static final long MAX_MEMBER_BYTES = Integer.MAX_VALUE - 8;

    private record Member(WebDatasetName name, String path, byte[] content) {}

    private final String uri;
    private final String tarName;
    private final StrictTarInputStream tar;
    private final Modality modality;
    /** Keys of finished samples: a key seen again means the tar is not grouped by key. */
    private final Set<String> finishedKeys = new HashSet<>();
    /** The first member of the next sample, read while looking for the end of the current one. */
    private Member pending;

    private String lastMemberPath = "(none)";
    /** Key of the sample returned last: a consecutive repeat of it is a duplicate copy, not scattered members. */
    private String previousKey;

    private long withoutImage;

    WebDatasetReader(Shard shard, Modality modality, Configuration conf) throws IOException {
        Path path = new Path(shard.uri());
        this.modality = modality;
        this.uri = shard.uri();
        this.tarName = path.getName();
        this.tar = new StrictTarInputStream(
                new BufferedInputStream(path.getFileSystem(conf).open(path), 1 << 16));
    }

    @Override
    protected RawSample fetch() throws IOException {
        Member first = pending != null ? pending : nextMember();
        pending = null;
        if (first == null) {
            return null;
        }
        String key = first.name().key();
        if (!finishedKeys.add(key) && !key.equals(previousKey)) {
            throw new ShardCorruptException(uri + ": member '" + first.path() + "' belongs to sample '" + key
                    + "', whose other members came earlier; members of a sample must be consecutive");
        }
        previousKey = key;
        WebDatasetSample sample = new WebDatasetSample(uri, tarName, key, modality);
        Member member = first;
        while (member != null && member.name().key().equals(key) && !sample.has(member.name())) {
            sample.add(member.name(), member.path(), member.content());
            member = nextMember();
        }
        pending = member;
        if (leavesArchive(key)) {
            return RawSample.rejected(
                    key,
                    tarName + "/" + first.path(),
                    SampleProblem.BAD_KEY,
                    "member name '" + first.path() + "' is absolute or climbs with '..'; not used as a key");
        }
        RawSample raw = sample.toRawSample();
        if (raw.problem() == SampleProblem.NO_IMAGE) {
            withoutImage++;
        }
        return raw;
    }

    /** Keys end up in paths and tables downstream: an absolute or climbing member name is refused. */
    private static boolean leavesArchive(String key) {
        if (key.startsWith("/") || key.startsWith("\\")) {
            return true;
        }
        for (String segment : key.split("[/\\\\]")) {
            if (segment.equals("..")) {
                return true;
            }
        }
        return false;
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
                return new Member(name, entry.getName(), WebDatasetSample.uses(name, modality) ? content(entry) : null);
            }
            return null;
        } catch (IOException e) {
            if (e instanceof StrictTarInputStream.SourceException) {
                throw new IOException("reading " + uri + " failed: " + e.getMessage(), e.getCause());
            }
            throw new ShardCorruptException(
                    uri + ": truncated or corrupt tar (last member read: '" + lastMemberPath + "'): " + e.getMessage(),
                    e);
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
    public long withoutImage() {
        return withoutImage;
    }

    @Override
    public void close() throws IOException {
        tar.close();
    }
}
