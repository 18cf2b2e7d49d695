package io.distillery.locks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writer per output: refused at once while the holder lives, taken over when it is gone. */
class WriterLockTest {
    private static final Configuration CONF = new Configuration();

    @TempDir
    java.nio.file.Path dir;

    private Path lockFile() {
        return new Path(dir.resolve("out/_distillery/writer.lock").toUri());
    }

    @Test
    void aSecondWriterIsRefusedAtOnceNamingTheOutputAndTheOwner() throws Exception {
        try (WriterLock first = WriterLock.acquire(lockFile(), "/data/out", "extract", CONF)) {
            assertThat(Files.exists(dir.resolve("out/_distillery/writer.lock"))).isTrue();
            assertThatThrownBy(() -> WriterLock.acquire(lockFile(), "/data/out", "extract", CONF))
                    .isInstanceOf(OutputLockedException.class)
                    .hasMessageStartingWith("/data/out is being written by another run: ")
                    .hasMessageContaining(" pid " + ProcessHandle.current().pid() + " (extract, started ")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
        assertThat(Files.exists(dir.resolve("out/_distillery/writer.lock")))
                .as("released")
                .isFalse();
        assertThat(dir.resolve("out"))
                .as("folders made for the lock alone are removed")
                .doesNotExist();
        try (WriterLock again = WriterLock.acquire(lockFile(), "/data/out", "extract", CONF)) {
            assertThat(again.file()).isEqualTo(lockFile());
            Files.writeString(dir.resolve("out/_distillery/dataset.json"), "{}");
        }
        try (var files = Files.list(dir.resolve("out/_distillery"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("no temp files left")
                    .containsExactly("dataset.json");
        }
    }

    @Test
    void ofRunsStartedTogetherExactlyOneWins() throws Exception {
        int runs = 8;
        ExecutorService pool = Executors.newFixedThreadPool(runs);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<WriterLock>> results = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            results.add(pool.submit(() -> {
                start.await();
                try {
                    return WriterLock.acquire(lockFile(), "out", "extract", CONF);
                } catch (OutputLockedException e) {
                    return null;
                }
            }));
        }
        start.countDown();
        List<WriterLock> winners = new ArrayList<>();
        for (Future<WriterLock> f : results) {
            if (f.get() != null) {
                winners.add(f.get());
            }
        }
        pool.shutdown();
        assertThat(winners).hasSize(1);
        winners.get(0).close();
    }

    @Test
    void aLockWhoseOwnerIsGoneIsTakenOver() throws Exception {
        Process finished = new ProcessBuilder("true").start();
        finished.waitFor();
        LockOwner here = LockOwner.current("train");
        writeLock(
                new LockOwner(
                        "dead",
                        here.host(),
                        finished.pid(),
                        "someone",
                        "train",
                        Instant.now().toString()),
                0);
        try (WriterLock taken = WriterLock.acquire(lockFile(), "run", "train", CONF)) {
            assertThat(new String(
                            Files.readAllBytes(dir.resolve("out/_distillery/writer.lock")), StandardCharsets.UTF_8))
                    .doesNotContain("\"dead\"");
        }

        // another host: only the heartbeat tells; a fresh one is respected, an old one is taken over
        writeLock(
                new LockOwner(
                        "remote",
                        "other-host.invalid",
                        1,
                        "someone",
                        "train",
                        Instant.now().toString()),
                5_000);
        assertThatThrownBy(() -> WriterLock.acquire(
                        lockFile(), "run", "train", CONF, Duration.ofSeconds(1), Duration.ofSeconds(60)))
                .hasMessageContaining("someone@other-host.invalid pid 1 (train");
        writeLock(
                new LockOwner(
                        "remote",
                        "other-host.invalid",
                        1,
                        "someone",
                        "train",
                        Instant.now().toString()),
                120_000);
        WriterLock.acquire(lockFile(), "run", "train", CONF, Duration.ofSeconds(1), Duration.ofSeconds(60))
                .close();
    }

    @Test
    void theHolderKeepsItsLockFresh() throws Exception {
        FileSystem fs = FileSystem.getLocal(CONF);
        try (WriterLock lock = WriterLock.acquire(
                lockFile(), "out", "evaluate", CONF, Duration.ofMillis(50), Duration.ofSeconds(60))) {
            fs.setTimes(lockFile(), System.currentTimeMillis() - 600_000, -1);
            Thread.sleep(400);
            assertThat(System.currentTimeMillis() - fs.getFileStatus(lockFile()).getModificationTime())
                    .isLessThan(10_000);
        }
    }

    @Test
    void aHeartbeatThatFailsWithAnUncheckedExceptionKeepsBeating() throws Exception {
        Configuration flaky = new Configuration();
        flaky.setClass("fs.file.impl", FlakyTimesFileSystem.class, FileSystem.class);
        flaky.setBoolean("fs.file.impl.disable.cache", true);
        FlakyTimesFileSystem.failures.set(2);
        FileSystem fs = FileSystem.getLocal(CONF);
        try (WriterLock lock =
                WriterLock.acquire(lockFile(), "out", "train", flaky, Duration.ofMillis(50), Duration.ofSeconds(60))) {
            fs.setTimes(lockFile(), System.currentTimeMillis() - 600_000, -1);
            Thread.sleep(600);
            assertThat(FlakyTimesFileSystem.failures.get())
                    .as("both injected failures happened")
                    .isLessThanOrEqualTo(0);
            assertThat(System.currentTimeMillis() - fs.getFileStatus(lockFile()).getModificationTime())
                    .as("refreshed after the failures")
                    .isLessThan(10_000);
        }
    }

    /** The local filesystem whose first {@code failures} setTimes calls throw an unchecked exception. */
    public static final class FlakyTimesFileSystem extends org.apache.hadoop.fs.LocalFileSystem {
        static final java.util.concurrent.atomic.AtomicInteger failures =
                new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void setTimes(Path p, long mtime, long atime) throws java.io.IOException {
            if (failures.getAndDecrement() > 0) {
                throw new IllegalStateException("injected heartbeat failure");
            }
            super.setTimes(p, mtime, atime);
        }
    }

    private void writeLock(LockOwner owner, long ageMillis) throws Exception {
        java.nio.file.Path file = dir.resolve("out/_distillery/writer.lock");
        Files.createDirectories(file.getParent());
        Files.write(file, owner.toJson());
        Files.setLastModifiedTime(
                file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - ageMillis));
    }
}
