package io.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.npy.ParityFiles;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Compares a computed tensor with a fixture array under the README's absolute tolerance. */
final class ParityAssert {
    static final double ACTIVATION_TOL = 5e-5;
    static final double TARGET_TOL = 2e-4;

    private ParityAssert() {}

    static double maxAbsDiff(INDArray actual, INDArray expected) {
        assertThat(actual.shape()).as("shape").isEqualTo(expected.shape());
        return actual.castTo(DataType.DOUBLE)
                .sub(expected.castTo(DataType.DOUBLE))
                .amaxNumber()
                .doubleValue();
    }

    static void assertClose(String fixture, INDArray actual, double tolerance) {
        INDArray expected = ParityFiles.array(fixture);
        double diff = maxAbsDiff(actual.reshape(expected.shape()), expected);
        assertThat(Arrays.equals(actual.shape(), expected.shape()) || actual.length() == expected.length())
                .as("%s size", fixture)
                .isTrue();
        System.out.printf("parity %-45s max abs diff %.3e (tolerance %.0e)%n", fixture, diff, tolerance);
        assertThat(diff).as("max |actual - %s|", fixture).isLessThanOrEqualTo(tolerance);
    }
}
