package io.distillery.masking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class MaskedTokensTest {
    private static final int DIM = 3;
    private static final List<TokenMask> MASKS = List.of(TokenMask.parse("0110"), TokenMask.parse("1001"));

    /** Entry (row r, token t, channel c) = 100 r + 10 t + c. */
    private static INDArray grid(DataType type) {
        INDArray grid = Nd4j.create(type, 2, 4 * DIM);
        for (int r = 0; r < 2; r++) {
            for (int t = 0; t < 4; t++) {
                for (int c = 0; c < DIM; c++) {
                    grid.putScalar(r, t * DIM + c, 100 * r + 10 * t + c);
                }
            }
        }
        return grid;
    }

    @ParameterizedTest
    @ValueSource(strings = {"FLOAT", "DOUBLE"})
    void gatherKeepsEachRowsVisibleTokensInGridOrder(String typeName) {
        DataType type = DataType.valueOf(typeName);
        INDArray kept = MaskedTokens.gather(grid(type), MASKS, DIM);
        assertThat(kept.dataType()).isEqualTo(type);
        assertThat(kept.shape()).containsExactly(2, 2 * DIM);
        assertThat(kept.toDoubleMatrix()[0]).containsExactly(0, 1, 2, 30, 31, 32);
        assertThat(kept.toDoubleMatrix()[1]).containsExactly(110, 111, 112, 120, 121, 122);
    }

    @ParameterizedTest
    @EnumSource(
            value = DataType.class,
            names = {"FLOAT", "DOUBLE"})
    void scatterWithoutNoisePutsTokensBackAndZerosTheMaskedOnes(DataType type) {
        INDArray grid = grid(type);
        INDArray back = MaskedTokens.scatter(MaskedTokens.gather(grid, MASKS, DIM), MASKS, DIM, 0, null);
        for (int r = 0; r < 2; r++) {
            for (int t = 0; t < 4; t++) {
                for (int c = 0; c < DIM; c++) {
                    double expected = MASKS.get(r).isMasked(t) ? 0 : grid.getDouble(r, t * DIM + c);
                    assertThat(back.getDouble(r, t * DIM + c)).isEqualTo(expected);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = DataType.class,
            names = {"FLOAT", "DOUBLE"})
    void maskTokensAreSmallGaussianNoise(DataType type) {
        TokenMask mask = new MaskGenerator(MaskSettings.data2vec2Images(), 14).mask(1, "k", 1, 0);
        List<TokenMask> masks = List.of(mask, mask);
        int dim = 64;
        INDArray kept = Nd4j.rand(type, 2, (long) mask.keptCount() * dim).addi(1); // in [1, 2)
        INDArray grid = MaskedTokens.scatter(kept, masks, dim, 0.01, new SplittableRandom(4));
        double sum = 0;
        double squares = 0;
        long n = 0;
        for (int r = 0; r < 2; r++) {
            for (int t : mask.maskedIndices()) {
                for (int c = 0; c < dim; c++) {
                    double v = grid.getDouble(r, (long) t * dim + c);
                    sum += v;
                    squares += v * v;
                    n++;
                }
            }
        }
        assertThat(Math.abs(sum / n)).isLessThan(0.001);
        assertThat(Math.sqrt(squares / n)).isCloseTo(0.01, org.assertj.core.data.Offset.offset(0.0005));
        assertThat(MaskedTokens.gather(grid, masks, dim)).isEqualTo(kept);
    }

    @Test
    void badShapesAreRejected() {
        INDArray grid = grid(DataType.FLOAT);
        assertThatThrownBy(() -> MaskedTokens.gather(grid, List.of(TokenMask.parse("0110")), DIM))
                .hasMessage("need one mask per row: 1 masks for an array of shape [2, 12]");
        assertThatThrownBy(
                        () -> MaskedTokens.gather(grid, List.of(TokenMask.parse("0110"), TokenMask.parse("1011")), DIM))
                .hasMessage("masks of a batch must keep the same number of tokens: 2 of 4 and 1 of 4");
        assertThatThrownBy(() -> MaskedTokens.gather(grid, MASKS, 2))
                .hasMessage("grid rows must have 8 values, got 12");
    }
}
