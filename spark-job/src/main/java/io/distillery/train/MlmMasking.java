package io.distillery.train;

import io.distillery.model.text.MaskedLmLoss;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * BERT's masked-language-model corruption, as Hugging Face's {@code DataCollatorForLanguageModeling}: each real,
 * non-special token is chosen with probability {@code probability} (15 %); a chosen token becomes [MASK] with
 * probability {@code maskFraction} (80 %), a uniformly random vocabulary id with {@code randomFraction} (10 %), and
 * stays unchanged otherwise; labels hold the original id at chosen positions and
 * {@link MaskedLmLoss#IGNORE_INDEX} elsewhere. The choice is a pure function of (seed, example key, copy), so a
 * resumed or re-run job builds exactly the same examples.
 *
 * @param vocabSize the ids random replacements are drawn from: 0..vocabSize-1
 */
public record MlmMasking(
        double probability, double maskFraction, double randomFraction, int maskId, int vocabSize, long seed)
        implements Serializable {

    public MlmMasking {
        if (!(probability > 0 && probability <= 1)) {
            throw new IllegalArgumentException("mlm probability must be in (0, 1], got " + probability);
        }
        if (!(maskFraction >= 0 && randomFraction >= 0 && maskFraction + randomFraction <= 1)) {
            throw new IllegalArgumentException(
                    "mlm mask-fraction and random-fraction must be >= 0 and sum to <= 1, got " + maskFraction + " and "
                            + randomFraction);
        }
        if (maskId < 0 || maskId >= vocabSize) {
            throw new IllegalArgumentException("[MASK] id " + maskId + " is outside the vocabulary of " + vocabSize);
        }
    }

    /**
     * One masked example.
     *
     * @param ids    the corrupted input ids
     * @param labels the original ids at chosen positions, {@link MaskedLmLoss#IGNORE_INDEX} elsewhere
     */
    public record Masked(int[] ids, int[] labels) {
        /** Positions that carry a label. */
        public int chosen() {
            return (int) Arrays.stream(labels)
                    .filter(l -> l != MaskedLmLoss.IGNORE_INDEX)
                    .count();
        }
    }

    /**
     * @param ids       the example's token ids (padded)
     * @param maskable  1 where a token may be chosen (real and not special), 0 elsewhere
     * @param key       the example's stable key (e.g. file and line)
     * @param copy      which corruption of the example (0, 1, ...: BERT's dupe factor)
     */
    public Masked apply(int[] ids, int[] maskable, String key, int copy) {
        if (ids.length != maskable.length) {
            throw new IllegalArgumentException("ids and maskable differ in length");
        }
        SplittableRandom random = new SplittableRandom(mix(seed, key, copy));
        int[] out = ids.clone();
        int[] labels = new int[ids.length];
        Arrays.fill(labels, MaskedLmLoss.IGNORE_INDEX);
        for (int t = 0; t < ids.length; t++) {
            // draw for every position so that a token's fate does not depend on the others' eligibility
            double choose = random.nextDouble();
            double how = random.nextDouble();
            int replacement = random.nextInt(vocabSize);
            if (maskable[t] == 0 || choose >= probability) {
                continue;
            }
            labels[t] = ids[t];
            if (how < maskFraction) {
                out[t] = maskId;
            } else if (how < maskFraction + randomFraction) {
                out[t] = replacement;
            }
        }
        return new Masked(out, labels);
    }

    /** A 64-bit seed from (seed, key, copy): FNV-1a over the key's UTF-8 bytes, mixed with the others. */
    static long mix(long seed, String key, int copy) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ h ^ ((long) copy << 32)).nextLong();
    }
}
