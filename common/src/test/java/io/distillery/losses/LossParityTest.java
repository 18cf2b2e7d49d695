package io.distillery.losses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every golden case from generate.py (PyTorch transcriptions of the reference code, autograd gradients), in
 * double to 1e-10 relative to the loss's size and in float to float rounding.
 */
class LossParityTest {

    static List<LossFixtures.Case> cases() {
        return LossFixtures.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void doubleMatchesPyTorchToRounding(LossFixtures.Case c) {
        LossValue got = compute(c, DataType.DOUBLE);

        double scale = Math.max(1, Math.abs(c.value()));
        assertThat(got.value()).isCloseTo(c.value(), within(1e-10 * scale));
        assertThat(got.gradient().dataType()).isEqualTo(DataType.DOUBLE);
        assertThat(got.gradient().shape()).isEqualTo(c.gradient().shape());
        assertThat(maxAbsDiff(got.gradient(), c.gradient())).isLessThan(1e-10 * gradScale(c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void floatMatchesPyTorchToFloatRounding(LossFixtures.Case c) {
        LossValue got = compute(c, DataType.FLOAT);

        double scale = Math.max(1, Math.abs(c.value()));
        assertThat(got.value()).isCloseTo(c.value(), within(2e-5 * scale));
        assertThat(got.gradient().dataType()).isEqualTo(DataType.FLOAT);
        assertThat(maxAbsDiff(got.gradient(), c.gradient())).isLessThan(2e-5 * gradScale(c));
    }

    static LossValue compute(LossFixtures.Case c, DataType type) {
        Map<String, Object> params = new HashMap<>(c.params());
        Object factor = params.remove("warmup_factor");
        if (factor != null) {
            params.put("warmup", 0.0);
        }
        LossTerm term = LossRegistry.create(c.loss(), ConfigFactory.parseMap(params));
        INDArray student = c.student().castTo(type);
        INDArray teacher = c.teacher() == null ? null : c.teacher().castTo(type);
        if (term instanceof DkdLoss dkd) {
            return dkd.compute(student, teacher, c.labels(), (Double) factor);
        }
        return term.compute(new LossInputs(student, teacher, c.labels(), Double.NaN));
    }

    private static double gradScale(LossFixtures.Case c) {
        return Math.max(1e-3, c.gradient().amaxNumber().doubleValue());
    }

    static double maxAbsDiff(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE)
                .sub(b.castTo(DataType.DOUBLE))
                .amaxNumber()
                .doubleValue();
    }
}
