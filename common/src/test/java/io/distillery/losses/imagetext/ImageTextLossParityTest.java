package io.distillery.losses.imagetext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every golden case from generate.py (a PyTorch transcription of CLIP-KD's KDClipLoss, autograd gradients): the
 * loss and its gradients w.r.t. both student embeddings, the student's log scale and each owned parameter, in double
 * to 1e-10 and in float to 2e-5, each relative to the size of the quantity compared.
 */
class ImageTextLossParityTest {

    static List<ImageTextFixtures.Case> cases() {
        return ImageTextFixtures.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void doubleMatchesPyTorchToRounding(ImageTextFixtures.Case c) {
        assertMatches(c, DataType.DOUBLE, 1e-10);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void floatMatchesPyTorchToFloatRounding(ImageTextFixtures.Case c) {
        assertMatches(c, DataType.FLOAT, 2e-5);
    }

    private static void assertMatches(ImageTextFixtures.Case c, DataType type, double tolerance) {
        ImageTextLoss loss = ImageTextLossRegistry.create(c.loss(), ConfigFactory.parseMap(c.params()));
        ImageTextInputs in = c.inputs();
        Map<String, INDArray> parameters = new LinkedHashMap<>();
        in.parameters().forEach((name, value) -> parameters.put(name, value.castTo(type)));
        ImageTextInputs typed = new ImageTextInputs(
                in.studentImage().castTo(type),
                in.studentText().castTo(type),
                in.teacherImage().castTo(type),
                in.teacherText().castTo(type),
                in.teacherScale(),
                in.studentLogScale(),
                parameters);
        ImageTextFixtures.Expected want = c.expected();

        ImageTextLossValue got = loss.compute(typed);

        assertThat(got.value()).isCloseTo(want.value(), within(tolerance * Math.max(1, Math.abs(want.value()))));
        assertClose(got.studentImageGradient(), want.studentImage(), type, tolerance);
        assertClose(got.studentTextGradient(), want.studentText(), type, tolerance);
        assertThat(got.studentLogScaleGradient())
                .isCloseTo(want.studentLogScale(), within(tolerance * scale(want.studentLogScale())));
        assertThat(got.parameterGradients().keySet())
                .containsExactlyInAnyOrderElementsOf(want.parameters().keySet());
        want.parameters()
                .forEach(
                        (name, expected) -> assertClose(got.parameterGradients().get(name), expected, type, tolerance));
    }

    private static void assertClose(INDArray got, INDArray want, DataType type, double tolerance) {
        assertThat(got.dataType()).isEqualTo(type);
        assertThat(got.shape()).isEqualTo(want.shape());
        double size = scale(want.amaxNumber().doubleValue());
        assertThat(maxAbsDiff(got, want)).isLessThanOrEqualTo(tolerance * size);
    }

    /** The size a difference is measured against; tiny quantities (a zero gradient) against 1e-12. */
    private static double scale(double magnitude) {
        return Math.max(1e-12, Math.abs(magnitude));
    }

    static double maxAbsDiff(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE)
                .sub(b.castTo(DataType.DOUBLE))
                .amaxNumber()
                .doubleValue();
    }
}
