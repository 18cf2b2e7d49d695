package io.distillery.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutations of small PNG, JPEG (baseline and progressive), GIF, BMP and WebP files: each decodes within the
 * limits or is rejected with {@link ImageRejectedException} (one line, a reason); never another exception, never
 * slow, never an image beyond the decode limits (so memory stays bounded).
 */
class ImageDecodeFuzzTest {
    private static final long SEED = 20261130L;
    private static final int CASES_PER_FORMAT = 500;
    private static final DecodeLimits LIMITS = new DecodeLimits(64 * 64, 256);

    @Test
    void mutatedImagesDecodeOrAreRejected() {
        int[] argb = new int[12 * 10];
        Random pixels = new Random(1);
        for (int i = 0; i < argb.length; i++) {
            argb[i] = pixels.nextBoolean() ? 0xff204080 : 0xffe0c0a0; // TinyWebp: two values per channel
        }
        List<byte[]> originals = List.of(
                TestImages.encode(TestImages.noise(12, 10, 1), "png"),
                TestImages.jpeg(TestImages.noise(16, 16, 2), false),
                TestImages.jpeg(TestImages.noise(16, 16, 3), true),
                TestImages.encode(TestImages.noise(12, 10, 4), "gif"),
                TestImages.encode(TestImages.noise(12, 10, 5), "bmp"),
                TinyWebp.lossless(12, 10, argb));
        Random random = new Random(SEED);
        Set<RejectReason> reasons = EnumSet.noneOf(RejectReason.class);
        int[] decoded = {0};
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            long slowest = 0;
            String slowestCase = "";
            for (byte[] original : originals) {
                for (int i = 0; i < CASES_PER_FORMAT; i++) {
                    byte[] mutant = mutate(original, random);
                    long start = System.nanoTime();
                    try {
                        RgbImage image = GuardedDecoder.decode(mutant, "case-" + i, LIMITS);
                        assertThat((long) image.width() * image.height()).isLessThanOrEqualTo(LIMITS.maxPixels());
                        decoded[0]++;
                    } catch (ImageRejectedException e) {
                        assertThat(e.getMessage()).startsWith("case-" + i).doesNotContain("\n");
                        reasons.add(e.reason());
                    } catch (RuntimeException | Error e) {
                        throw new AssertionError("case " + i + ": undocumented " + e, e);
                    }
                    long took = System.nanoTime() - start;
                    if (took > slowest) {
                        slowest = took;
                        slowestCase = "format " + originals.indexOf(original) + " case " + i;
                    }
                }
            }
            // generous: the build machines are shared; a decoder loop would take far longer (the whole test is bounded)
            assertThat(slowest).as("slowest case (%s), ns", slowestCase).isLessThan(10_000_000_000L);
        });
        assertThat(decoded[0]).isPositive();
        assertThat(reasons).isNotEmpty();
    }

    /** Flips, interesting bytes (including size fields made huge), cuts and repeated chunks. */
    private static byte[] mutate(byte[] original, Random r) {
        byte[] b = original.clone();
        int edits = 1 + r.nextInt(3);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = r.nextInt(4) == 0 ? r.nextInt(b.length) : r.nextInt(Math.min(b.length, 64)); // headers first
            switch (r.nextInt(5)) {
                case 0 -> b[at] ^= (byte) (1 << r.nextInt(8));
                case 1 -> b[at] = (byte) new int[] {0, 0xff, 0x7f, 0x80, 0x01}[r.nextInt(5)];
                case 2 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1));
                case 3 -> { // a run of 0xff: sizes and lengths become huge
                    for (int k = at; k < Math.min(b.length, at + 4); k++) {
                        b[k] = (byte) 0xff;
                    }
                }
                default -> { // duplicate a slice (repeated chunks / segments)
                    int len = Math.min(b.length - at, 1 + r.nextInt(32));
                    byte[] out = new byte[b.length + len];
                    System.arraycopy(b, 0, out, 0, at + len);
                    System.arraycopy(b, at, out, at + len, b.length - at);
                    b = out;
                }
            }
        }
        return b;
    }
}
