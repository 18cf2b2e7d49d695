package io.distillery.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.distillery.model.text.MaskedLmLoss;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MlmMaskingTest {
    private static final int VOCAB = 1000;
    private static final int MASK = 4;
    private final MlmMasking masking = new MlmMasking(0.15, 0.8, 0.1, MASK, VOCAB, 7);

    /** [CLS] 100..(100+n-1) [SEP] then padding: the first and the last real ones special. */
    private static int[][] example(int real, int length) {
        int[] ids = new int[length];
        int[] maskable = new int[length];
        ids[0] = 2;
        for (int t = 1; t <= real; t++) {
            ids[t] = 100 + t;
            maskable[t] = 1;
        }
        ids[real + 1] = 3;
        return new int[][] {ids, maskable};
    }

    @Test
    void statisticsMatchBert() {
        int[][] e = example(60, 64);
        long chosen = 0;
        long masked = 0;
        long random = 0;
        long kept = 0;
        long eligible = 0;
        for (int n = 0; n < 4000; n++) {
            MlmMasking.Masked m = masking.apply(e[0], e[1], "line-" + n, 0);
            for (int t = 0; t < 64; t++) {
                if (e[1][t] == 0) {
                    assertEquals(MaskedLmLoss.IGNORE_INDEX, m.labels()[t], "special or padding chosen");
                    assertEquals(e[0][t], m.ids()[t], "special or padding changed");
                    continue;
                }
                eligible++;
                if (m.labels()[t] == MaskedLmLoss.IGNORE_INDEX) {
                    assertEquals(e[0][t], m.ids()[t], "an unchosen token changed");
                    continue;
                }
                assertEquals(e[0][t], m.labels()[t]);
                chosen++;
                if (m.ids()[t] == MASK) {
                    masked++;
                } else if (m.ids()[t] == e[0][t]) {
                    kept++;
                } else {
                    random++;
                }
            }
        }
        // 240000 eligible tokens: binomial standard errors are well below these tolerances
        assertEquals(0.15, (double) chosen / eligible, 0.003);
        assertEquals(0.8, (double) masked / chosen, 0.01);
        // a random draw equal to the original token counts as kept (1/1000 of 10 %)
        assertEquals(0.1, (double) random / chosen, 0.006);
        assertEquals(0.1, (double) kept / chosen, 0.006);
    }

    @Test
    void pureFunctionOfSeedKeyAndCopy() {
        int[][] e = example(40, 48);
        MlmMasking.Masked a = masking.apply(e[0], e[1], "train.txt:17", 0);
        MlmMasking.Masked b = new MlmMasking(0.15, 0.8, 0.1, MASK, VOCAB, 7).apply(e[0], e[1], "train.txt:17", 0);
        assertArrayEquals(a.ids(), b.ids());
        assertArrayEquals(a.labels(), b.labels());
        assertFalse(Arrays.equals(
                a.labels(), masking.apply(e[0], e[1], "train.txt:17", 1).labels()));
        assertFalse(Arrays.equals(
                a.labels(), masking.apply(e[0], e[1], "train.txt:18", 0).labels()));
        assertFalse(Arrays.equals(
                a.labels(),
                new MlmMasking(0.15, 0.8, 0.1, MASK, VOCAB, 8)
                        .apply(e[0], e[1], "train.txt:17", 0)
                        .labels()));
    }

    @Test
    void refusesBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new MlmMasking(0, 0.8, 0.1, MASK, VOCAB, 0));
        assertThrows(IllegalArgumentException.class, () -> new MlmMasking(0.15, 0.8, 0.3, MASK, VOCAB, 0));
        assertThrows(IllegalArgumentException.class, () -> new MlmMasking(0.15, 0.8, 0.1, VOCAB, VOCAB, 0));
    }
}
