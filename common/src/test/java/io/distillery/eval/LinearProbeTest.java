package io.distillery.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LinearProbeTest {

    @Test
    void linearlySeparable2dPointsReach100Percent() {
        Random rnd = new Random(1);
        double[][] centres = {{-3, 0}, {3, 0}, {0, 4}};
        float[][] train = new float[90][];
        int[] labels = new int[90];
        float[][] test = new float[30][];
        int[] testLabels = new int[30];
        for (int i = 0; i < 120; i++) {
            int c = i % 3;
            float[] p = {
                (float) (centres[c][0] + 0.5 * rnd.nextGaussian()), (float) (centres[c][1] + 0.5 * rnd.nextGaussian())
            };
            if (i < 90) {
                train[i] = p;
                labels[i] = c;
            } else {
                test[i - 90] = p;
                testLabels[i - 90] = c;
            }
        }
        LinearProbe probe = LinearProbe.train(train, labels, LinearProbeSettings.defaults());

        assertThat(probe.numClasses()).isEqualTo(3);
        assertThat(probe.accuracy(Nd4j.create(train), labels)).isEqualTo(1.0);
        assertThat(probe.accuracy(Nd4j.create(test), testLabels)).isEqualTo(1.0);
        assertThat(probe.predict(new float[][] {{-10, 0}, {10, 0}, {0, 12}})).containsExactly(0, 1, 2);
    }

    @Test
    void twoPointOptimumMatchesTheHandDerivedStationaryCondition() {
        // x = -1 (class 0), x = +1 (class 1): already standardised (mean 0, biased std 1). By symmetry b0 = b1 and
        // w0 = -w1; with margin a = w1 - w0 the loss is log(1 + e^-a) + l2 a^2 / 4, stationary where
        // 1 / (1 + e^a) = l2 a / 2.
        double l2 = 0.1;
        LinearProbe probe = LinearProbe.train(
                new float[][] {{-1}, {1}},
                new int[] {0, 1},
                LinearProbeSettings.defaults().withL2(l2));

        double lo = 0;
        double hi = 100;
        for (int i = 0; i < 200; i++) {
            double mid = (lo + hi) / 2;
            if (1 / (1 + Math.exp(mid)) > l2 * mid / 2) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        double a = lo;
        double w0 = probe.weights().getDouble(0, 0);
        double w1 = probe.weights().getDouble(0, 1);
        assertThat(probe.converged()).as(probe.stopReason()).isTrue();
        assertThat(w1 - w0).isCloseTo(a, within(1e-5));
        assertThat(w0).isCloseTo(-w1, within(1e-6));
        assertThat(probe.bias()[0]).isCloseTo(probe.bias()[1], within(1e-6));
        assertThat(probe.trainLoss()).isCloseTo(Math.log1p(Math.exp(-a)) + l2 * a * a / 4, within(1e-9));
        assertThat(probe.standardizer().mean()).containsExactly(0.0);
        assertThat(probe.standardizer().std()).containsExactly(1.0);
    }

    @Test
    void lossAtZeroIsLogOfTheClassCountAndTheGradientMatchesFiniteDifferences() {
        Random rnd = new Random(3);
        int n = 5;
        int d = 3;
        int c = 4;
        INDArray x = Nd4j.rand(DataType.DOUBLE, n, d).subi(0.5).muli(4);
        int[] labels = {0, 3, 1, 3, 2};
        double l2 = 0.3;
        SoftmaxObjective f = new SoftmaxObjective(x, labels, c, l2, 2);
        double[] theta = new double[f.parameterCount()];
        double[] g = new double[theta.length];
        assertThat(f.evaluate(theta, g)).isCloseTo(Math.log(c), within(1e-12));

        for (int i = 0; i < theta.length; i++) {
            theta[i] = rnd.nextGaussian();
        }
        double value = f.evaluate(theta, g);
        double h = 1e-6;
        for (int i = 0; i < theta.length; i++) {
            double[] plus = theta.clone();
            double[] minus = theta.clone();
            plus[i] += h;
            minus[i] -= h;
            double numeric = (f.evaluate(plus, new double[theta.length]) - f.evaluate(minus, new double[theta.length]))
                    / (2 * h);
            assertThat(g[i]).as("parameter " + i).isCloseTo(numeric, within(1e-7 * Math.max(1, Math.abs(numeric))));
        }
        // The row chunk only bounds memory: one chunk of all rows gives the same loss and gradient.
        double[] g1 = new double[theta.length];
        assertThat(new SoftmaxObjective(x, labels, c, l2, 100).evaluate(theta, g1))
                .isCloseTo(value, within(1e-12));
        for (int i = 0; i < g.length; i++) {
            assertThat(g1[i]).isCloseTo(g[i], within(1e-12));
        }
    }

    @Test
    void trainedProbeIsAStationaryPointAndTrainingIsRepeatable() {
        Random rnd = new Random(11);
        float[][] x = new float[200][8];
        int[] y = new int[200];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < 8; j++) {
                x[i][j] = (float) (rnd.nextGaussian() * (j + 1) + 5);
            }
            y[i] = rnd.nextInt(4); // random labels: not separable, so the optimum is finite even for small l2
        }
        LinearProbeSettings settings =
                LinearProbeSettings.defaults().withL2(1e-2).withRowChunk(64);
        LinearProbe a = LinearProbe.train(x, y, settings);
        LinearProbe b = LinearProbe.train(x, y, settings);

        assertThat(a.converged()).as(a.stopReason()).isTrue();
        assertThat(a.weights()).isEqualTo(b.weights());
        assertThat(a.bias()).containsExactly(b.bias());

        INDArray z = a.standardizer().apply(Nd4j.create(x));
        SoftmaxObjective f = new SoftmaxObjective(z, y, 4, 1e-2, 64);
        double[] theta = new double[f.parameterCount()];
        System.arraycopy(a.weights().dup('c').data().asDouble(), 0, theta, 0, 32);
        System.arraycopy(a.bias(), 0, theta, 32, 4);
        double[] g = new double[theta.length];
        assertThat(f.evaluate(theta, g)).isCloseTo(a.trainLoss(), within(1e-12));
        for (double gi : g) {
            assertThat(Math.abs(gi)).isLessThan(1e-5);
        }
        // Standardised features have mean 0 and std 1.
        assertThat(z.mean(0).toDoubleVector()).containsExactly(new double[8], within(1e-9));
        double[] ones = new double[8];
        java.util.Arrays.fill(ones, 1);
        assertThat(z.std(false, 0).toDoubleVector()).containsExactly(ones, within(1e-9));
    }

    @Test
    void aConstantFeatureIsOnlyCentred() {
        LinearProbe probe = LinearProbe.train(
                new float[][] {{7, -1}, {7, 1}, {7, -2}, {7, 2}},
                new int[] {0, 1, 0, 1},
                LinearProbeSettings.defaults());
        assertThat(probe.standardizer().std()[0]).isEqualTo(1.0);
        assertThat(probe.predict(new float[][] {{7, -3}, {7, 3}})).containsExactly(0, 1);
    }

    @Test
    void badInputsAreClearErrors() {
        LinearProbeSettings s = LinearProbeSettings.defaults();
        assertThatThrownBy(() -> LinearProbe.train(new float[0][], new int[0], s))
                .hasMessage("linear probe train features is empty (need at least one row)");
        assertThatThrownBy(() -> LinearProbe.train(new float[][] {{1}, {2}}, new int[] {0}, s))
                .hasMessage("linear probe train labels has 1 entries for 2 rows");
        LinearProbe probe = LinearProbe.train(new float[][] {{1, 0}, {0, 1}}, new int[] {0, 1}, s);
        assertThatThrownBy(() -> probe.predict(new float[][] {{1, 2, 3}}))
                .hasMessage("features have 3 columns but the probe was trained on 2");
        assertThatThrownBy(() -> probe.predict(new float[][] {{1, Float.POSITIVE_INFINITY}}))
                .hasMessage("linear probe features contains NaN or infinite values");
        assertThatThrownBy(() -> s.withL2(-1)).hasMessage("linear probe l2 must be finite and >= 0 but was -1.0");
        assertThatThrownBy(() -> s.withMaxIterations(0))
                .hasMessage("linear probe max iterations must be at least 1 but was 0");
    }
}
