package io.distillery.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class ContextualizedTargetsTest {

    private static final int B = 2;
    private static final int T = 5;
    private static final int D = 4;
    private static final double EPS = 1e-5;

    @Test
    void allTokensKeepsTheClsRowAndUsesItInTheStatistics() {
        double[][][][] blocks = randomBlocks(3, new Random(7));
        TargetRecipe recipe = new TargetRecipe(TargetTensor.BLOCK, TargetTokens.ALL, 2, EPS);

        INDArray targets = ContextualizedTargets.compute(toNd4j(blocks), recipe);
        assertThat(targets.shape()).isEqualTo(new long[] {B, T, D});
        assertThat(targets.dataType()).isEqualTo(DataType.DOUBLE);

        double[][][] expected = reference(blocks, 2, 0);
        assertMatches(targets, expected, 1e-12);
        assertMatches(ContextualizedTargets.average(toNd4j(blocks), recipe), referenceAverage(blocks, 2, 0), 1e-12);
    }

    @Test
    void patchesDropTheClsRowBeforeTheStatistics() {
        double[][][][] blocks = randomBlocks(3, new Random(11));
        TargetRecipe patches = new TargetRecipe(TargetTensor.FFN, TargetTokens.PATCHES, 3, EPS);

        INDArray targets = ContextualizedTargets.compute(toNd4j(blocks), patches);
        assertThat(targets.shape()).isEqualTo(new long[] {B, T - 1, D});
        assertMatches(targets, reference(blocks, 3, 1), 1e-12);

        // Including CLS changes every patch row's statistics, so the patch rows of ALL differ from PATCHES.
        INDArray all = ContextualizedTargets.compute(
                toNd4j(blocks), new TargetRecipe(TargetTensor.FFN, TargetTokens.ALL, 3, EPS));
        INDArray allPatchRows = all.get(NDArrayIndex.all(), NDArrayIndex.interval(1, T), NDArrayIndex.all());
        assertThat(allPatchRows.sub(targets).amaxNumber().doubleValue()).isGreaterThan(1e-3);
    }

    @Test
    void usesTheLastKBlocksAndLeavesInputsUnchanged() {
        double[][][][] blocks = randomBlocks(4, new Random(3));
        List<INDArray> input = toNd4j(blocks);
        List<INDArray> copies = input.stream().map(INDArray::dup).toList();

        INDArray top1 = ContextualizedTargets.compute(input, TargetRecipe.defaults(1));
        INDArray lastOnly = ContextualizedTargets.compute(List.of(input.get(3)), TargetRecipe.defaults(1));
        assertThat(top1.equalsWithEps(lastOnly, 0)).isTrue();
        for (int l = 0; l < input.size(); l++) {
            assertThat(input.get(l).equalsWithEps(copies.get(l), 0))
                    .as("block %d unchanged", l)
                    .isTrue();
        }
    }

    @Test
    void float32InputGivesFloat32Targets() {
        List<INDArray> blocks = toNd4j(randomBlocks(2, new Random(5))).stream()
                .map(a -> a.castTo(DataType.FLOAT))
                .toList();
        INDArray targets = ContextualizedTargets.compute(blocks, TargetRecipe.defaults(2));
        assertThat(targets.dataType()).isEqualTo(DataType.FLOAT);
        assertMatches(targets.castTo(DataType.DOUBLE), reference(randomBlocks(2, new Random(5)), 2, 1), 1e-5);
    }

    @Test
    void fusedFloatPathMatchesTheStepwiseFloatOperationsBitForBit() {
        Random random = new Random(13);
        for (TargetTokens tokens : TargetTokens.values()) {
            for (int k : new int[] {1, 3}) {
                List<INDArray> blocks = new ArrayList<>();
                for (int l = 0; l < 4; l++) {
                    // wide enough rows for the SIMD sums, offsets so the statistics matter
                    blocks.add(Nd4j.rand(DataType.FLOAT, 3, 17, 40).muli(1 + l).addi(random.nextGaussian()));
                }
                TargetRecipe recipe = new TargetRecipe(TargetTensor.FFN, tokens, k, EPS);
                INDArray fused = ContextualizedTargets.compute(blocks, recipe);
                INDArray stepwise =
                        ContextualizedTargets.average(blocks, recipe).dup('c');
                io.distillery.model.kernels.FloatNorms.standardize(
                        stepwise.reshape('c', stepwise.size(0) * stepwise.size(1), stepwise.size(2)),
                        EPS,
                        stepwise.reshape('c', stepwise.size(0) * stepwise.size(1), stepwise.size(2)));
                assertThat(fused.shape()).isEqualTo(stepwise.shape());
                assertThat(fused.data().asFloat())
                        .as("%s, top-%d", tokens, k)
                        .containsExactly(stepwise.data().asFloat());
                assertThat(ContextualizedTargets.computeFlat(blocks, recipe))
                        .as("flat %s, top-%d", tokens, k)
                        .containsExactly(stepwise.data().asFloat());
            }
        }
    }

    @Test
    void topKLargerThanTheNumberOfBlocksIsRejected() {
        List<INDArray> blocks = toNd4j(randomBlocks(2, new Random(1)));
        assertThatThrownBy(() -> ContextualizedTargets.compute(blocks, TargetRecipe.defaults(3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topK = 3")
                .hasMessageContaining("(2)");
    }

    @Test
    void shapeMismatchNamesTheBlockAndBothShapes() {
        List<INDArray> blocks = new ArrayList<>(toNd4j(randomBlocks(2, new Random(1))));
        blocks.add(Nd4j.zeros(DataType.DOUBLE, B, T, D + 1));
        assertThatThrownBy(() -> ContextualizedTargets.compute(blocks, TargetRecipe.defaults(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tensor 2")
                .hasMessageContaining("[2, 5, 5]")
                .hasMessageContaining("[2, 5, 4]");
    }

    @Test
    void dataTypeMismatchIsRejected() {
        List<INDArray> blocks = new ArrayList<>(toNd4j(randomBlocks(1, new Random(1))));
        blocks.add(Nd4j.zeros(DataType.FLOAT, B, T, D));
        assertThatThrownBy(() -> ContextualizedTargets.compute(blocks, TargetRecipe.defaults(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tensor 1")
                .hasMessageContaining("FLOAT")
                .hasMessageContaining("DOUBLE");
    }

    @Test
    void wrongRankEmptyListAndClsOnlyInputAreRejected() {
        assertThatThrownBy(() -> ContextualizedTargets.compute(
                        List.of(Nd4j.zeros(DataType.FLOAT, T, D)), TargetRecipe.defaults(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tensor 0")
                .hasMessageContaining("[5, 4]");
        assertThatThrownBy(() -> ContextualizedTargets.compute(List.of(), TargetRecipe.defaults(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no per-block tensors");
        assertThatThrownBy(() -> ContextualizedTargets.compute(
                        List.of(Nd4j.zeros(DataType.FLOAT, B, 1, D)), TargetRecipe.defaults(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("T = 1");
    }

    // ---- an independent plain-Java double reference ----

    /** Targets from the last k blocks, tokens from {@code firstToken} on (0 = ALL, 1 = PATCHES). */
    private static double[][][] reference(double[][][][] blocks, int k, int firstToken) {
        double[][][] avg = referenceAverage(blocks, k, firstToken);
        int n = avg[0].length;
        double[][][] out = new double[B][n][D];
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < n; t++) {
                double mean = 0;
                for (int c = 0; c < D; c++) {
                    mean += avg[b][t][c];
                }
                mean /= D;
                double var = 0;
                for (int c = 0; c < D; c++) {
                    var += (avg[b][t][c] - mean) * (avg[b][t][c] - mean);
                }
                var /= D;
                for (int c = 0; c < D; c++) {
                    out[b][t][c] = (avg[b][t][c] - mean) / Math.sqrt(var + EPS);
                }
            }
        }
        return out;
    }

    private static double[][][] referenceAverage(double[][][][] blocks, int k, int firstToken) {
        int n = T - firstToken;
        double[][][] sum = new double[B][n][D];
        for (int l = blocks.length - k; l < blocks.length; l++) {
            for (int b = 0; b < B; b++) {
                for (int c = 0; c < D; c++) {
                    double mean = 0;
                    for (int t = firstToken; t < T; t++) {
                        mean += blocks[l][b][t][c];
                    }
                    mean /= n;
                    double var = 0;
                    for (int t = firstToken; t < T; t++) {
                        var += (blocks[l][b][t][c] - mean) * (blocks[l][b][t][c] - mean);
                    }
                    var /= n;
                    for (int t = firstToken; t < T; t++) {
                        sum[b][t - firstToken][c] += (blocks[l][b][t][c] - mean) / Math.sqrt(var + EPS);
                    }
                }
            }
        }
        for (double[][] s : sum) {
            for (double[] row : s) {
                for (int c = 0; c < D; c++) {
                    row[c] /= k;
                }
            }
        }
        return sum;
    }

    private static double[][][][] randomBlocks(int depth, Random random) {
        double[][][][] blocks = new double[depth][B][T][D];
        for (double[][][] block : blocks) {
            for (double[][] sample : block) {
                for (int t = 0; t < T; t++) {
                    for (int c = 0; c < D; c++) {
                        // A large CLS row makes its influence on the statistics unmistakable.
                        sample[t][c] = random.nextGaussian() * (1 + c) + (t == 0 ? 5 : 0);
                    }
                }
            }
        }
        return blocks;
    }

    private static List<INDArray> toNd4j(double[][][][] blocks) {
        List<INDArray> out = new ArrayList<>();
        for (double[][][] block : blocks) {
            out.add(Nd4j.createFromArray(block));
        }
        return out;
    }

    private static void assertMatches(INDArray actual, double[][][] expected, double tolerance) {
        assertThat(actual.shape()).isEqualTo(new long[] {expected.length, expected[0].length, expected[0][0].length});
        double max = 0;
        for (int b = 0; b < expected.length; b++) {
            for (int t = 0; t < expected[b].length; t++) {
                for (int c = 0; c < expected[b][t].length; c++) {
                    max = Math.max(max, Math.abs(actual.getDouble(b, t, c) - expected[b][t][c]));
                }
            }
        }
        assertThat(max).isLessThanOrEqualTo(tolerance);
    }
}
