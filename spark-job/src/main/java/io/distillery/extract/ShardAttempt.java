package io.distillery.extract;

import io.distillery.dataset.DatasetLayout;
import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureMetadata;
import io.distillery.features.FeatureMetadataJson;
import java.io.Closeable;
import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One task attempt's output for a shard, the part the image and text extractors share: data and rejects files under
 * {@code _tmp/} with attempt-unique names and the dataset metadata in their footers, deleted when the shard fails,
 * published through {@link ShardCommitter} when it completes. Until then nothing outside {@code _tmp/} changes, so a
 * partial output is never mistaken for a complete one.
 */
final class ShardAttempt {
    private static final Logger LOG = LoggerFactory.getLogger(ShardAttempt.class);

    private final DatasetLayout layout;
    private final ShardCommitter committer;
    private final String shardId;
    private final FileSystem fs;
    private final Path tmpData;
    private final Path tmpRejects;
    private final long start = System.nanoTime();

    ShardAttempt(DatasetLayout layout, String shardId, String attempt, Configuration conf) throws IOException {
        this.layout = layout;
        this.committer = new ShardCommitter(layout, conf);
        this.shardId = shardId;
        this.fs = layout.root().getFileSystem(conf);
        this.tmpData = layout.tmpFile(shardId, attempt, "data");
        this.tmpRejects = layout.tmpFile(shardId, attempt, "rejects");
        fs.mkdirs(layout.tmpDir());
    }

    /** The shard's commit record when an earlier attempt or run already committed it (and its files agree). */
    static Optional<ShardCommit> committed(DatasetLayout layout, String shardId, Configuration conf)
            throws IOException {
        return new ShardCommitter(layout, conf).validRecord(shardId);
    }

    /** The data file's writer: {@code schema}, every tensor column stored without dictionary encoding. */
    ParquetWriter<Group> openData(MessageType schema, FeatureMetadata metadata, String metadataJson, Configuration conf)
            throws IOException {
        Set<String> dense = new HashSet<>();
        metadata.tensorColumns().forEach(c -> dense.add(c.name()));
        return ParquetFiles.create(tmpData, schema, conf, footer(metadataJson), dense);
    }

    RejectWriter openRejects(String metadataJson, Configuration conf) throws IOException {
        return new RejectWriter(
                ParquetFiles.create(tmpRejects, FeatureSchema.rejects(), conf, footer(metadataJson), Set.of()));
    }

    /** Deletes this attempt's files (the writers are closed) and reports the shard as failed. */
    ShardResult fail(String message) throws IOException {
        fs.delete(tmpData, false);
        fs.delete(tmpRejects, false);
        LOG.error("shard {} failed: {}", shardId, message);
        return ShardResult.failed(shardId, message);
    }

    /** An I/O error such as "No space left on device", which names no file: says which shard and where it wrote. */
    IOException writeFailure(IOException e) {
        return new IOException("shard " + shardId + " (writing under " + layout.tmpDir() + "): " + e.getMessage(), e);
    }

    /** Publishes the closed files; returns the record now in place (possibly another attempt's). */
    ShardCommit commit(long samples, long rows, long rejects, KeyDigests keys) throws IOException {
        ShardCommit record = new ShardCommit(
                shardId, samples, rows, rejects, fs.getFileStatus(tmpData).getLen(), seconds(), keys.encode());
        return committer.commit(record, tmpData, tmpRejects);
    }

    /** Since the attempt started. */
    double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    private static Map<String, String> footer(String metadataJson) {
        return Map.of(FeatureMetadataJson.FOOTER_KEY, metadataJson);
    }

    /** Rows of the rejects file: key, shard, where the sample was read, reason, cleaned message. */
    final class RejectWriter implements Closeable {
        private final ParquetWriter<Group> out;
        private final SimpleGroupFactory rows = new SimpleGroupFactory(FeatureSchema.rejects());

        private RejectWriter(ParquetWriter<Group> out) {
            this.out = out;
        }

        void write(String key, String source, String reason, String message) throws IOException {
            out.write(rows.newGroup()
                    .append(FeatureColumns.KEY, key)
                    .append(FeatureColumns.SHARD, shardId)
                    .append("image", source)
                    .append("reason", reason)
                    .append("message", RejectMessages.clean(message)));
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
