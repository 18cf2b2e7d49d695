package io.distillery.targets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.npy.NpyReader;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link TextTargets} against the PyTorch reference of src/test/resources/text-targets/generate.py (fairseq's
 * make_targets with masked instance-norm statistics) on the tiny BERT's padded batch: right and left padding, a
 * pair, and a row without real tokens. The inputs are the reference's own layer tensors, so only the recipe is
 * compared.
 */
class TextTargetsGoldenTest {
    private static final double TOL = 2e-5;

    @ParameterizedTest
    @CsvSource({
        "BLOCK, 1, true", "BLOCK, 2, true", "BLOCK, 1, false", "BLOCK, 2, false",
        "FFN, 1, true", "FFN, 2, true", "FFN, 1, false", "FFN, 2, false"
    })
    void matchesThePyTorchReference(TargetTensor tensor, int topK, boolean layerNorm) throws IOException {
        MaskedTargets targets =
                TextTargets.compute(layers(tensor), mask(), new TextTargetRecipe(tensor, topK, 1e-5, layerNorm));
        String name = "target_" + tensor.name().toLowerCase(java.util.Locale.ROOT) + "_top" + topK
                + (layerNorm ? "" : "_noln");
        float[] expected = read("text-targets/" + name).data().asFloat();
        assertThat(targets.values()).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) targets.values()[i]).as("%s[%d]", name, i).isCloseTo(expected[i], within());
        }
    }

    @Test
    void paddedPositionsAreZeroAndExcluded() throws IOException {
        MaskedTargets targets = TextTargets.compute(
                layers(TargetTensor.BLOCK), mask(), new TextTargetRecipe(TargetTensor.BLOCK, 2, 1e-5, true));
        int[] mask = mask();
        int d = targets.dim();
        int nonZeroReal = 0;
        for (int p = 0; p < mask.length; p++) {
            assertThat(targets.included(p / targets.tokens(), p % targets.tokens()))
                    .isEqualTo(mask[p] == 1);
            for (int c = 0; c < d; c++) {
                float v = targets.values()[p * d + c];
                if (mask[p] == 0) {
                    assertThat(v).isEqualTo(0f);
                } else if (v != 0) {
                    nonZeroReal++;
                }
            }
        }
        assertThat(nonZeroReal).isGreaterThan(0);
    }

    @Test
    void statisticsIgnorePadding() throws IOException {
        // row 1 has 9 real tokens: padding it to more positions, with garbage there, changes none of its targets
        INDArray block = read("bert/hidden_states_02");
        INDArray row =
                block.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2)).dup();
        INDArray longer = Nd4j.rand(DataType.FLOAT, 1, 20, row.size(2)).muli(50);
        longer.get(
                        org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 12),
                        org.nd4j.linalg.indexing.NDArrayIndex.all())
                .assign(row);
        int[] shortMask = new int[12];
        int[] longMask = new int[20];
        for (int t = 0; t < 9; t++) {
            shortMask[t] = 1;
            longMask[t] = 1;
        }
        TextTargetRecipe recipe = new TextTargetRecipe(TargetTensor.BLOCK, 1, 1e-5, true);
        MaskedTargets a = TextTargets.compute(List.of(row), shortMask, recipe);
        MaskedTargets b = TextTargets.compute(List.of(longer), longMask, recipe);
        int d = a.dim();
        for (int i = 0; i < 9 * d; i++) {
            assertThat(b.values()[i]).isEqualTo(a.values()[i]);
        }
    }

    @Test
    void refusesAMaskOfTheWrongSize() throws IOException {
        assertThatThrownBy(() -> TextTargets.compute(
                        layers(TargetTensor.BLOCK),
                        new int[5],
                        new TextTargetRecipe(TargetTensor.BLOCK, 1, 1e-5, true)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("attention mask has 5 entries");
        assertThatThrownBy(() -> TextTargets.compute(
                        layers(TargetTensor.BLOCK), mask(), new TextTargetRecipe(TargetTensor.BLOCK, 3, 1e-5, true)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topK = 3");
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(TOL);
    }

    /** The reference's per-layer tensors (float32): layer outputs from ../bert, FFN branches from text-targets. */
    private static List<INDArray> layers(TargetTensor tensor) throws IOException {
        List<INDArray> out = new ArrayList<>();
        for (int n = 1; n <= 2; n++) {
            out.add(read(
                    tensor == TargetTensor.FFN
                            ? String.format("text-targets/ffn_%02d", n)
                            : String.format("bert/hidden_states_%02d", n)));
        }
        return out;
    }

    private static int[] mask() throws IOException {
        long[] values = read("bert/attention_mask").data().asLong();
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (int) values[i];
        }
        return out;
    }

    static INDArray read(String name) throws IOException {
        try {
            return NpyReader.readExact(Path.of(
                    TextTargetsGoldenTest.class.getResource("/" + name + ".npy").toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
