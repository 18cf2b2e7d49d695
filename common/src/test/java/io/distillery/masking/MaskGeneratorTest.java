package io.distillery.masking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Determinism, exact counts and the statistical shape of the masks the student will train with. */
class MaskGeneratorTest {
    private static final int SIDE = 14;

    private static MaskGenerator generator(MaskKind kind) {
        return new MaskGenerator(new MaskSettings(0.8, kind, 3, 0.07, 16), SIDE);
    }

    @ParameterizedTest
    @EnumSource(MaskKind.class)
    void aMaskIsAPureFunctionOfSeedKeyViewAndClone(MaskKind kind) {
        TokenMask first = generator(kind).mask(7, "img-1", 1, 3);
        assertThat(generator(kind).mask(7, "img-1", 1, 3)).isEqualTo(first);
        assertThat(generator(kind).mask(8, "img-1", 1, 3)).isNotEqualTo(first);
        assertThat(generator(kind).mask(7, "img-2", 1, 3)).isNotEqualTo(first);
        assertThat(generator(kind).mask(7, "img-1", 2, 3)).isNotEqualTo(first);
        assertThat(generator(kind).mask(7, "img-1", 1, 4)).isNotEqualTo(first);
        List<TokenMask> clones = generator(kind).masks(7, "img-1", 1);
        assertThat(clones).hasSize(16).contains(first);
        assertThat(new HashSet<>(clones)).as("16 distinct clone masks").hasSize(16);
    }

    /** Changing the seed derivation or the draw order changes every mask a run trains with: it must be deliberate. */
    @Test
    void seedsAndMasksAreStableAcrossReleases() {
        assertThat(MaskSeeds.seed(0, "n01440764_10026.JPEG", 1, 0)).isEqualTo(GOLDEN_SEED);
        assertThat(generator(MaskKind.INVERSE_BLOCK)
                        .mask(0, "n01440764_10026.JPEG", 1, 0)
                        .toString())
                .isEqualTo(GOLDEN_BLOCK);
        assertThat(generator(MaskKind.RANDOM)
                        .mask(0, "n01440764_10026.JPEG", 1, 0)
                        .toString())
                .isEqualTo(GOLDEN_RANDOM);
    }

    private static final long GOLDEN_SEED = 3136344334585402413L;
    private static final String GOLDEN_BLOCK =
            "1111111111111111111111111111111111111111111100011111111111001111111111100001111111111000111111111110001111111111111111111111111111111111100011111111111000100011100010001001111010111110101110001111";
    private static final String GOLDEN_RANDOM =
            "1111111111101111111101111111111110011010111110111111111110101111101111110110111010110111100110011111110011011001011110111111101111110111101111111110110111111110111111111111111101011010101100111111";

    @ParameterizedTest
    @EnumSource(MaskKind.class)
    void everyMaskMasksExactlyTheSameNumberOfTokens(MaskKind kind) {
        int[][] grids = {{14, 80}, {7, 60}, {16, 75}, {4, 50}};
        for (int[] g : grids) {
            int side = g[0];
            double ratio = g[1] / 100.0;
            MaskGenerator masks = new MaskGenerator(new MaskSettings(ratio, kind, 3, 0.07, 4), side);
            int tokens = side * side;
            int expected = tokens - (int) (tokens * (1 - ratio));
            assertThat(masks.maskedCount()).isEqualTo(expected);
            for (int s = 0; s < 200; s++) {
                for (TokenMask m : masks.masks(11, "k" + s, 1)) {
                    assertThat(m.tokens()).isEqualTo(tokens);
                    assertThat(m.maskedCount())
                            .as("%s %dx%d at %.2f", kind, side, side, ratio)
                            .isEqualTo(expected);
                }
            }
        }
        assertThat(generator(kind).maskedCount()).as("data2vec 2.0 at 224/16").isEqualTo(157);
    }

    @Test
    void randomMasksHitEveryPositionAtTheRatio() {
        MaskGenerator masks = generator(MaskKind.RANDOM);
        int samples = 3000;
        int[] hits = new int[SIDE * SIDE];
        for (int s = 0; s < samples; s++) {
            TokenMask m = masks.mask(3, "k" + s, 1, 0);
            for (int t : m.maskedIndices()) {
                hits[t]++;
            }
        }
        double expected = 157.0 / 196;
        double sigma = Math.sqrt(expected * (1 - expected) / samples);
        for (int t = 0; t < hits.length; t++) {
            assertThat((double) hits[t] / samples)
                    .as("token %d", t)
                    .isCloseTo(expected, org.assertj.core.data.Offset.offset(5 * sigma));
        }
    }

    /**
     * Inverse blocks keep tokens in clumps: most kept tokens have a kept 4-neighbour, far more often than random
     * masks at the same ratio (where about 1 - 0.8^4 of the inner ones do).
     */
    @Test
    void inverseBlocksKeepTokensInClumps() {
        double block = keptNeighbourShare(generator(MaskKind.INVERSE_BLOCK));
        double random = keptNeighbourShare(generator(MaskKind.RANDOM));
        System.out.printf("kept tokens with a kept neighbour: inverse-block %.3f, random %.3f%n", block, random);
        assertThat(block).isGreaterThan(0.85);
        assertThat(random).isLessThan(0.65);
    }

    private static double keptNeighbourShare(MaskGenerator masks) {
        long kept = 0;
        long withNeighbour = 0;
        for (int s = 0; s < 500; s++) {
            TokenMask m = masks.mask(5, "k" + s, 1, 0);
            for (int t : m.keptIndices()) {
                int i = t / SIDE;
                int j = t % SIDE;
                kept++;
                if ((i > 0 && !m.isMasked(t - SIDE))
                        || (i < SIDE - 1 && !m.isMasked(t + SIDE))
                        || (j > 0 && !m.isMasked(t - 1))
                        || (j < SIDE - 1 && !m.isMasked(t + 1))) {
                    withNeighbour++;
                }
            }
        }
        return (double) withNeighbour / kept;
    }

    @ParameterizedTest
    @EnumSource(MaskKind.class)
    void aGeneratorSurvivesJavaSerialization(MaskKind kind) throws Exception {
        MaskGenerator original = generator(kind);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(original);
        }
        MaskGenerator copy;
        try (java.io.ObjectInputStream in =
                new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (MaskGenerator) in.readObject();
        }
        assertThat(copy.settings()).isEqualTo(original.settings());
        assertThat(copy.masks(3, "k", 1)).isEqualTo(original.masks(3, "k", 1));
    }

    @Test
    void keptAndMaskedIndicesPartitionTheGrid() {
        TokenMask m = TokenMask.parse("0110100");
        assertThat(m.keptIndices()).containsExactly(0, 3, 5, 6);
        assertThat(m.maskedIndices()).containsExactly(1, 2, 4);
        assertThat(m.keptCount()).isEqualTo(4);
        assertThat(m).hasToString("0110100");
    }

    @Test
    void exponentialDrawsArePositiveWithMeanOne() {
        SeededMaskDraws draws = new SeededMaskDraws(1);
        double sum = 0;
        Set<Double> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            double e = draws.nextExponential();
            assertThat(e).isGreaterThanOrEqualTo(0).isFinite();
            sum += e;
            seen.add(e);
        }
        assertThat(sum / 100_000).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.02));
        assertThat(seen).hasSize(100_000);
    }

    @Test
    void badSettingsAreRejectedWithTheirValues() {
        assertThatThrownBy(() -> new MaskSettings(1.0, MaskKind.RANDOM, 3, 0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mask ratio must be in (0, 1), got 1.0");
        assertThatThrownBy(() -> new MaskSettings(0.8, MaskKind.INVERSE_BLOCK, 1, 0.07, 1))
                .hasMessage("mask block-size must be at least 2 for inverse-block masks, got 1");
        assertThatThrownBy(() -> new MaskSettings(0.8, MaskKind.RANDOM, 1, 0.07, 0))
                .hasMessage("mask clones must be at least 1, got 0");
        assertThatThrownBy(() -> MaskKind.fromConfigName("blocks"))
                .hasMessage("mask kind 'blocks' is not one of [inverse-block, random]");
        assertThat(MaskKind.fromConfigName(" Inverse-Block")).isEqualTo(MaskKind.INVERSE_BLOCK);
        assertThatThrownBy(() -> generator(MaskKind.RANDOM).mask(0, "k", 1, 16))
                .hasMessage("clone index must be in [0, 16), got 16");
        assertThatThrownBy(() -> new BlockMask2d(4, 0.05, 3, 0.5, true, false, 0, true))
                .hasMessage("non-overlapping masks need 5 of the 4 tiles of 3x3 on a 4x4 grid");
        assertThat(new BlockMask2d(4, 0.2, 3, 0, false, false, 0, true).maskedCount())
                .isEqualTo(3);
    }
}
