package io.distillery.locks;

import io.distillery.spark.AtomicHadoopFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exclusive lock on one output, held while a job writes it. The lock file is written under a unique temp name and
 * then published atomically — a hard link on the local filesystem, a rename on HDFS (which refuses an existing
 * target) — so of two runs started together exactly one wins, and the file is never seen half-written. The holder
 * touches the file every {@link #HEARTBEAT}; a lock whose owner is gone (same host and no such process, or no
 * heartbeat for {@link #STALE}) is taken over, with a log line.
 */
public final class WriterLock implements AutoCloseable {
    public static final Duration HEARTBEAT = Duration.ofSeconds(10);
    public static final Duration STALE = Duration.ofSeconds(60);
    private static final Logger LOG = LoggerFactory.getLogger(WriterLock.class);

    private final FileSystem fs;
    private final Path file;
    private final LockOwner owner;
    private final ScheduledExecutorService heartbeat;
    /** Folders the lock had to create, deepest first: removed again if the run left them empty. */
    private final java.util.List<Path> createdFolders;

    private WriterLock(FileSystem fs, Path file, LockOwner owner, Duration every, java.util.List<Path> createdFolders) {
        this.fs = fs;
        this.file = file;
        this.owner = owner;
        this.createdFolders = createdFolders;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "distillery-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleWithFixedDelay(this::touch, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Takes the lock {@code file} of {@code output}, creating its folder.
     *
     * @throws OutputLockedException when a live run holds it (names the output and the owner)
     */
    public static WriterLock acquire(Path file, String output, String command, Configuration conf) throws IOException {
        return acquire(file, output, command, conf, HEARTBEAT, STALE);
    }

    static WriterLock acquire(
            Path file, String output, String command, Configuration conf, Duration heartbeat, Duration stale)
            throws IOException {
        FileSystem fs = file.getFileSystem(conf);
        java.util.List<Path> created = new java.util.ArrayList<>();
        for (Path p = file.getParent(); p != null && !fs.exists(p); p = p.getParent()) {
            created.add(p);
        }
        fs.mkdirs(file.getParent());
        LockOwner me = LockOwner.current(command);
        for (int attempt = 0; attempt < 3; attempt++) {
            if (publish(fs, file, me)) {
                return new WriterLock(fs, file, me, heartbeat, created);
            }
            LockOwner holder = read(fs, file);
            long age;
            try {
                age = System.currentTimeMillis() - fs.getFileStatus(file).getModificationTime();
            } catch (java.io.FileNotFoundException gone) {
                continue; // released meanwhile: try again
            }
            boolean dead = holder != null && holder.knownDead();
            if (!dead && age <= stale.toMillis()) {
                throw new OutputLockedException(output + " is being written by another run: "
                        + (holder == null ? "(owner still being recorded)" : holder) + ", last heartbeat "
                        + age / 1000 + " s ago; wait for it to end or stop it (" + file + ")");
            }
            LOG.warn(
                    "taking over the writer lock of {} from {}: {}",
                    output,
                    holder == null ? "an unknown owner" : holder,
                    dead ? "that process no longer exists" : "no heartbeat for " + age / 1000 + " s");
            takeOver(fs, file, holder);
        }
        throw new OutputLockedException(
                output + ": could not take the writer lock " + file + " (other runs keep taking it); try again");
    }

    /** Moves the stale lock aside (only one contender's rename succeeds), then deletes it. */
    private static void takeOver(FileSystem fs, Path file, LockOwner judged) throws IOException {
        Path aside = new Path(file.getParent(), "." + file.getName() + ".stale-" + UUID.randomUUID());
        if (!fs.rename(file, aside)) {
            return; // another contender moved it first
        }
        LockOwner moved = read(fs, aside);
        if (judged != null && moved != null && !judged.token().equals(moved.token())) {
            // a fresh lock was published between our check and the rename: give it back
            fs.rename(aside, file);
            return;
        }
        fs.delete(aside, false);
    }

    private static boolean publish(FileSystem fs, Path file, LockOwner me) throws IOException {
        Path tmp = new Path(file.getParent(), "." + file.getName() + "." + me.token());
        try (OutputStream out = fs.create(tmp, false)) {
            out.write(me.toJson());
        }
        return AtomicHadoopFiles.publishIfAbsent(fs, tmp, file);
    }

    private static LockOwner read(FileSystem fs, Path file) {
        try (InputStream in = fs.open(file)) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            in.transferTo(bytes);
            return LockOwner.fromJson(bytes.toByteArray());
        } catch (IOException e) {
            return null;
        }
    }

    private void touch() {
        try {
            fs.setTimes(file, System.currentTimeMillis(), -1);
        } catch (IOException | RuntimeException e) {
            // a scheduled task that throws is never run again: the lock would go stale under a live run and be
            // taken over, so every failure is logged and the next heartbeat tries again
            LOG.warn("could not refresh the writer lock {}: {}", file, e.toString());
        }
    }

    /** The lock file. */
    public Path file() {
        return file;
    }

    /** Stops the heartbeat and removes the lock if it is still this run's. */
    @Override
    public void close() throws IOException {
        heartbeat.shutdownNow();
        LockOwner holder = read(fs, file);
        if (holder != null && holder.token().equals(owner.token())) {
            fs.delete(file, false);
        }
        for (Path folder : createdFolders) { // a run refused before writing anything leaves no trace
            if (fs.exists(folder) && fs.listStatus(folder).length == 0) {
                fs.delete(folder, false);
            }
        }
    }
}
