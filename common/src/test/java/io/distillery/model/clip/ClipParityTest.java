package io.distillery.model.clip;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.model.clip.ClipFixtures.Variant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The CLIP model against open_clip's forward transcribed into generate.py (PyTorch float32), for GELU and QuickGELU:
 * both towers' embeddings, every block's residual stream and the logits.
 */
class ClipParityTest {
    /** Allowed max |actual - expected| relative to max |expected| of the tensor. */
    private static final double RELATIVE_TOL = 1e-5;

    @ParameterizedTest
    @EnumSource(Variant.class)
    void imageTowerMatchesEveryBlock(Variant variant) {
        ClipTowerOutputs out = variant.model().encodeImagesWithHiddenStates(ClipFixtures.pixels());
        assertThat(out.hiddenStates()).hasSize(ClipFixtures.LAYERS + 1);
        for (int n = 0; n <= ClipFixtures.LAYERS; n++) {
            assertClose(
                    variant,
                    String.format("image_hidden_%02d", n),
                    out.hiddenStates().get(n));
        }
        assertClose(variant, "image_features", out.features());
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void textTowerMatchesEveryBlock(Variant variant) {
        ClipTowerOutputs out = variant.model().encodeTextsWithHiddenStates(ClipFixtures.tokenIds());
        assertThat(out.hiddenStates()).hasSize(ClipFixtures.LAYERS + 1);
        for (int n = 0; n <= ClipFixtures.LAYERS; n++) {
            assertClose(
                    variant,
                    String.format("text_hidden_%02d", n),
                    out.hiddenStates().get(n));
        }
        assertClose(variant, "text_features", out.features());
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void logitsMatch(Variant variant) {
        ClipModel model = variant.model();
        INDArray images = model.encodeImages(ClipFixtures.pixels());
        INDArray texts = model.encodeTexts(ClipFixtures.tokenIds());
        assertThat(model.logitScale()).isCloseTo(Math.exp(2.75), org.assertj.core.data.Offset.offset(1e-5));
        assertClose(variant, "logits_per_image", model.logitsPerImage(images, texts));
    }

    private static void assertClose(Variant variant, String fixture, INDArray actual) {
        INDArray expected = variant.expected(fixture);
        assertThat(actual.shape()).as(fixture).isEqualTo(expected.shape());
        double diff = actual.castTo(DataType.DOUBLE)
                .sub(expected.castTo(DataType.DOUBLE))
                .amaxNumber()
                .doubleValue();
        double scale = expected.amaxNumber().doubleValue();
        System.out.printf(
                "clip parity %-9s %-17s max abs diff %.3e, max |expected| %.3f, relative %.2e (tolerance %.0e)%n",
                variant.folder, fixture, diff, scale, diff / scale, RELATIVE_TOL);
        assertThat(diff).as("%s: max |actual - %s|", variant, fixture).isLessThanOrEqualTo(RELATIVE_TOL * scale);
    }
}
