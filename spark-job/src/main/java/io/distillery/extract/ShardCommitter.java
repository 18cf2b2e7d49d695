package io.distillery.extract;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.distillery.dataset.DatasetLayout;
import io.distillery.spark.AtomicHadoopFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a shard's output visible exactly once. A task attempt writes its files under {@code _tmp/} with an
 * attempt-unique name, then moves them into {@code data/} and {@code rejects/} and finally writes the commit
 * record; the record is what marks the shard complete. A second attempt (retry after executor loss, speculation,
 * rerun after a crash) finds a valid record and discards its own files, or replaces a half-moved shard whose
 * record is missing. Outputs are deterministic, so whichever attempt wins writes the same rows.
 */
public final class ShardCommitter {
    private static final Logger LOG = LoggerFactory.getLogger(ShardCommitter.class);
    private static final ObjectMapper JSON =
            new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private final DatasetLayout layout;
    private final Configuration conf;

    public ShardCommitter(DatasetLayout layout, Configuration conf) {
        this.layout = layout;
        this.conf = conf;
    }

    /** Publishes the attempt's files; returns the record now in place (possibly another attempt's). */
    public ShardCommit commit(ShardCommit record, Path tmpData, Path tmpRejects) throws IOException {
        FileSystem fs = layout.root().getFileSystem(conf);
        Optional<ShardCommit> existing = validRecord(record.shard());
        if (existing.isPresent()) {
            LOG.info(
                    "shard {} was already committed by another attempt; discarding this attempt's files",
                    record.shard());
            fs.delete(tmpData, false);
            fs.delete(tmpRejects, false);
            return existing.get();
        }
        fs.mkdirs(layout.dataDir());
        fs.mkdirs(layout.rejectsDir());
        fs.mkdirs(layout.commitsDir());
        AtomicHadoopFiles.replace(fs, tmpData, layout.dataFile(record.shard()));
        AtomicHadoopFiles.replace(fs, tmpRejects, layout.rejectsFile(record.shard()));
        Path tmpRecord = new Path(layout.tmpDir(), record.shard() + "." + System.nanoTime() + ".commit.json");
        try (OutputStream out = RawLocalOutputFile.creating(fs).create(tmpRecord, false)) {
            JSON.writeValue(out, record);
        }
        AtomicHadoopFiles.replace(fs, tmpRecord, layout.commitRecord(record.shard()));
        return record;
    }

    /** The shard's record if it exists and agrees with the files' footers; otherwise empty (shard to redo). */
    public Optional<ShardCommit> validRecord(String shardId) throws IOException {
        FileSystem fs = layout.root().getFileSystem(conf);
        Path recordPath = layout.commitRecord(shardId);
        if (!fs.exists(recordPath)) {
            return Optional.empty();
        }
        ShardCommit record;
        try (InputStream in = fs.open(recordPath)) {
            record = JSON.readValue(in, ShardCommit.class);
        } catch (IOException e) {
            LOG.warn("commit record {} is unreadable ({}); the shard will be redone", recordPath, e.getMessage());
            return Optional.empty();
        }
        Path data = layout.dataFile(shardId);
        Path rejects = layout.rejectsFile(shardId);
        if (!fs.exists(data)
                || !fs.exists(rejects)
                || ParquetFiles.rowCount(data, conf) != record.rows()
                || ParquetFiles.rowCount(rejects, conf) != record.rejects()) {
            LOG.warn("shard {}: files disagree with the commit record; the shard will be redone", shardId);
            return Optional.empty();
        }
        return Optional.of(record);
    }

    /**
     * Takes a committed shard back (its record first, so it is never half-committed): a rerun redoes it. Used when
     * the shard repeats keys of another shard.
     */
    public void withdraw(String shardId) throws IOException {
        FileSystem fs = layout.root().getFileSystem(conf);
        fs.delete(layout.commitRecord(shardId), false);
        fs.delete(layout.dataFile(shardId), false);
        fs.delete(layout.rejectsFile(shardId), false);
    }

    /** The shard's commit record as written (not checked against the files); empty if there is none. */
    public Optional<ShardCommit> record(String shardId) throws IOException {
        FileSystem fs = layout.root().getFileSystem(conf);
        Path recordPath = layout.commitRecord(shardId);
        if (!fs.exists(recordPath)) {
            return Optional.empty();
        }
        try (InputStream in = fs.open(recordPath)) {
            return Optional.of(JSON.readValue(in, ShardCommit.class));
        }
    }
}
