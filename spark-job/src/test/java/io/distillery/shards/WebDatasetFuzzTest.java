package io.distillery.shards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.distillery.shards.ShardTestData.Member;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutations of a small webdataset tar: reading either returns samples or fails with a one-line
 * {@link ShardCorruptException} naming the tar; never another exception, never slow. Member sizes made huge must not
 * make the reader allocate them.
 */
class WebDatasetFuzzTest {
    private static final long SEED = 20261130L;
    private static final int CASES = 1500;
    private static final Configuration CONF = new Configuration();

    @TempDir
    Path dir;

    @Test
    void mutatedTarsReadOrFailWithTheDocumentedError() throws Exception {
        Path clean = ShardTestData.tar(
                dir.resolve("clean.tar"),
                new Member("a.jpg", ShardTestData.image(300, 1)),
                Member.text("a.cls", "1"),
                Member.text("a.txt", "cap"),
                new Member("b.png", ShardTestData.image(200, 2)),
                Member.text("b.json", "{\"caption\": \"x\"}"),
                Member.text("c.txt", "only text"),
                new Member("sub/d.webp", ShardTestData.image(100, 3)));
        byte[] original = Files.readAllBytes(clean);
        Random random = new Random(SEED);
        List<String> outcomes = new ArrayList<>();
        assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
            long slowest = 0;
            for (int i = 0; i < CASES; i++) {
                Path tar = dir.resolve(String.format("%05d.tar", i % 10));
                Files.write(tar, mutate(original, random));
                long start = System.nanoTime();
                outcomes.add(outcome(tar, i));
                slowest = Math.max(slowest, System.nanoTime() - start);
            }
            assertThat(slowest).as("slowest case, ns").isLessThan(2_000_000_000L);
        });
        assertThat(outcomes).contains("ok", "corrupt");
    }

    private static String outcome(Path tar, int i) throws Exception {
        Shard shard = new Shard(
                tar.getFileName().toString().replace(".tar", ""),
                tar.toUri().toString(),
                ShardFormat.WEBDATASET,
                Files.size(tar),
                1,
                0,
                1,
                List.of());
        try (ShardReader reader =
                ShardReader.open(shard, InputOptions.of(ShardFormat.WEBDATASET, tar.toString()), List.of(), CONF)) {
            while (reader.hasNext()) {
                RawSample s = reader.next();
                assertThat(s.key()).isNotNull();
                assertThat(s.image() == null).isEqualTo(s.problem() != null);
            }
            return "ok";
        } catch (ShardCorruptException e) {
            assertThat(e.getMessage())
                    .as("case %d", i)
                    .contains(tar.getFileName().toString())
                    .doesNotContain("\n");
            return "corrupt";
        } catch (RuntimeException | Error e) {
            throw new AssertionError("case " + i + ": undocumented " + e, e);
        }
    }

    /** Mostly header bytes (names, octal sizes, checksums, type flags), some data, cuts and repeats. */
    private static byte[] mutate(byte[] original, Random r) {
        byte[] b = original.clone();
        int edits = 1 + r.nextInt(3);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int block = r.nextInt((b.length + 511) / 512);
            int at = Math.min(b.length - 1, block * 512 + (r.nextBoolean() ? r.nextInt(160) : r.nextInt(512)));
            switch (r.nextInt(5)) {
                case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b[at] = (byte) "07 \0/.x\u00ff".charAt(r.nextInt(8));
                case 2 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1));
                case 3 -> { // a size field (offset 124, 12 bytes) set to a huge octal number
                    int header = block * 512;
                    if (header + 136 <= b.length) {
                        byte[] big = "77777777777\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                        System.arraycopy(big, 0, b, header + 124, 12);
                    }
                }
                default -> { // repeat a 512-byte block
                    int from = Math.min(block * 512, Math.max(0, b.length - 512));
                    int len = Math.min(512, b.length - from);
                    byte[] out = new byte[b.length + len];
                    System.arraycopy(b, 0, out, 0, from + len);
                    System.arraycopy(b, from, out, from + len, b.length - from);
                    b = out;
                }
            }
        }
        return b;
    }
}
