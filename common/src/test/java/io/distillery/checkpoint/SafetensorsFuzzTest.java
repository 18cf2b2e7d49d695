package io.distillery.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutations of a small checkpoint: every file either reads completely or fails with a one-line
 * {@link CheckpointFormatException} naming the file; never another exception, never slow. Mutations favour the
 * header (lengths, offsets, shapes, dtypes), where a parser can be led astray.
 */
class SafetensorsFuzzTest {
    private static final long SEED = 20261130L;
    private static final int CASES = 2000;

    @TempDir
    Path dir;

    @Test
    void mutatedCheckpointsReadOrFailWithTheDocumentedError() throws Exception {
        Path original = dir.resolve("small.safetensors");
        new SafetensorsWriter()
                .addFloats("blocks.0.attn.qkv.weight", floats(48, 1), new long[] {12, 4}, DType.F32)
                .addFloats("norm.bias", floats(4, 2), new long[] {4}, DType.F16)
                .addFloats("cls_token", floats(8, 3), new long[] {1, 1, 8}, DType.BF16)
                .metadata(java.util.Map.of("format", "pt"))
                .write(original);
        byte[] bytes = Files.readAllBytes(original);
        int headerEnd = 8
                + (int) java.nio.ByteBuffer.wrap(bytes, 0, 8)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                        .getLong();
        Random random = new Random(SEED);
        List<String> outcomes = new ArrayList<>();
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Path file = dir.resolve("mutant.safetensors");
            long slowest = 0;
            for (int i = 0; i < CASES; i++) {
                Files.write(file, Mutations.mutate(bytes, headerEnd, random));
                long start = System.nanoTime();
                outcomes.add(outcome(file, i));
                slowest = Math.max(slowest, System.nanoTime() - start);
            }
            assertThat(slowest).as("slowest case, ns").isLessThan(2_000_000_000L);
        });
        assertThat(outcomes).contains("ok", "refused");
    }

    private static String outcome(Path file, int i) throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String name : f.names()) {
                f.readFloats(name);
            }
            return "ok";
        } catch (CheckpointFormatException e) {
            assertThat(e.getMessage())
                    .as("case %d", i)
                    .contains(file.toString())
                    .doesNotContain("\n");
            return "refused";
        } catch (RuntimeException e) {
            throw new AssertionError("case " + i + ": undocumented " + e, e);
        }
    }

    private static float[] floats(int n, int seed) {
        Random r = new Random(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) r.nextGaussian();
        }
        return out;
    }

    /** Byte-level mutations: flips, overwrites with interesting values, cuts, insertions, JSON-aware edits. */
    static final class Mutations {
        private static final String[] TOKENS = {
            "\"",
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "-1",
            "0",
            "1e30",
            "18446744073709551615",
            "\"F64\"",
            "\"BOOL\"",
            "null",
            "\"data_offsets\"",
            "\"shape\"",
            "\\u0000"
        };

        private Mutations() {}

        static byte[] mutate(byte[] original, int headerEnd, Random r) {
            byte[] b = original.clone();
            int edits = 1 + r.nextInt(4);
            for (int e = 0; e < edits; e++) {
                int at = r.nextInt(4) < 3 && headerEnd <= b.length
                        ? r.nextInt(Math.max(1, Math.min(headerEnd, b.length)))
                        : r.nextInt(Math.max(1, b.length));
                switch (r.nextInt(6)) {
                    case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
                    case 1 -> b[at] = (byte) new int[] {0, 0xff, 0x7f, 0x80, '"', '9', '-'}[r.nextInt(7)];
                    case 2 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1));
                    case 3 -> b = splice(b, at, TOKENS[r.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8), 0);
                    case 4 ->
                        b = splice(
                                b,
                                at,
                                TOKENS[r.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8),
                                Math.min(1 + r.nextInt(6), b.length - at));
                    default -> { // the 8-byte header length
                        if (b.length >= 8) {
                            b[r.nextInt(8)] = (byte) r.nextInt(256);
                        }
                    }
                }
                if (b.length == 0) {
                    break;
                }
            }
            return b;
        }

        private static byte[] splice(byte[] b, int at, byte[] insert, int remove) {
            at = Math.min(at, b.length);
            remove = Math.max(0, Math.min(remove, b.length - at));
            byte[] out = new byte[b.length - remove + insert.length];
            System.arraycopy(b, 0, out, 0, at);
            System.arraycopy(insert, 0, out, at, insert.length);
            System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
            return out;
        }
    }
}
