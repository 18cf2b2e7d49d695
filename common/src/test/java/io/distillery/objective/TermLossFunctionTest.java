package io.distillery.objective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.distillery.losses.LossInputs;
import io.distillery.losses.LossValue;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The DL4J adapter gives exactly the weighted sum of the loss terms, in DL4J's conventions (averaged score, summed
 * gradient), reads the documented label layout, and survives the JSON and Java serialisation dl4j-spark and the
 * checkpoints put it through.
 */
class TermLossFunctionTest {
    private static final int N = 4;
    private static final int C = 5;
    private static final int[] LABELS = {0, 3, 4, 1};

    private static LossSpec spec(int index, String type, double weight, Map<String, Double> params, String column) {
        return new LossSpec("distillery.train.losses[" + index + "]", type, weight, params, column, 0);
    }

    private static INDArray random(long seed, long... shape) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.FLOAT, shape).muli(2);
    }

    /** [teacher | one-hot labels], the layout the adapter documents. */
    private static INDArray labels(INDArray teacher) {
        INDArray oneHot = Nd4j.zeros(DataType.FLOAT, N, C);
        for (int i = 0; i < N; i++) {
            oneHot.putScalar(i, LABELS[i], 1f);
        }
        return teacher == null ? oneHot : Nd4j.hstack(teacher, oneHot);
    }

    @Test
    void scoreAndGradientAreTheWeightedTermsInDl4jsConventions() {
        INDArray student = random(1, N, C);
        INDArray teacher = random(2, N, C);
        LossSpec kd = spec(0, "kd", 1.0, Map.of("temperature", 2.0), "logits");
        LossSpec ce = spec(1, "ce", 0.5, Map.of(), null);
        TermLossFunction f = new TermLossFunction(List.of(kd, ce), C, C);

        LossInputs inputs = new LossInputs(student, teacher, LABELS, Double.NaN);
        LossValue kdValue = kd.term().compute(inputs);
        LossValue ceValue = ce.term().compute(inputs);
        double expected = kdValue.value() + 0.5 * ceValue.value();
        INDArray expectedGradient =
                kdValue.gradient().add(ceValue.gradient().mul(0.5)).muli(N);

        INDArray labels = labels(teacher);
        Pair<Double, INDArray> averaged =
                f.computeGradientAndScore(labels, student, new ActivationIdentity(), null, true);
        assertThat(averaged.getFirst()).isCloseTo(expected, within(1e-6));
        assertThat(averaged.getSecond().sub(expectedGradient).amaxNumber().doubleValue())
                .as("gradient of the summed score (DL4J's updater divides by the minibatch)")
                .isLessThan(1e-6);
        assertThat(f.computeScore(labels, student, new ActivationIdentity(), null, false))
                .isCloseTo(N * expected, within(1e-5));
        assertThat(f.computeGradient(labels, student, new ActivationIdentity(), null))
                .isEqualTo(averaged.getSecond());
        assertThat(student).as("input untouched").isEqualTo(random(1, N, C));
        assertThat(f.name()).isEqualTo("1.0 * kd + 0.5 * ce");
    }

    @Test
    void aFeatureLossReadsOnlyItsTeacherBlockWhoseWidthMayDiffer() {
        INDArray student = random(3, N, 6);
        INDArray teacher = random(4, N, 9);
        LossSpec pkt = spec(2, "pkt", 2.0, Map.of(), "pooled");
        TermLossFunction f = new TermLossFunction(List.of(pkt), 9, 0);
        LossValue direct = pkt.term().compute(LossInputs.of(student, teacher));
        Pair<Double, INDArray> viaAdapter =
                f.computeGradientAndScore(teacher, student, new ActivationIdentity(), null, true);
        assertThat(viaAdapter.getFirst()).isCloseTo(2.0 * direct.value(), within(1e-7));
        assertThat(viaAdapter
                        .getSecond()
                        .sub(direct.gradient().mul(2.0 * N))
                        .amaxNumber()
                        .doubleValue())
                .isLessThan(1e-6);
    }

    @Test
    void dkdsWarmUpUsesTheEpochSetBeforeTheRound() {
        INDArray student = random(5, N, C);
        INDArray teacher = random(6, N, C);
        INDArray labels = labels(teacher);
        TermLossFunction noWarmUp =
                new TermLossFunction(List.of(spec(0, "dkd", 1.0, Map.of("warmup", 0.0), "logits")), C, C);
        TermLossFunction warmUp =
                new TermLossFunction(List.of(spec(0, "dkd", 1.0, Map.of("warmup", 4.0), "logits")), C, C);
        assertThatThrownBy(() -> warmUp.computeScore(labels, student, new ActivationIdentity(), null, true))
                .hasMessageContaining("dkd: needs the epoch (>= 0) for its warm-up, got NaN");
        warmUp.setEpoch(1);
        double full = noWarmUp.computeScore(labels, student, new ActivationIdentity(), null, true);
        assertThat(warmUp.computeScore(labels, student, new ActivationIdentity(), null, true))
                .isCloseTo(full / 4, within(1e-7));
        warmUp.setEpoch(9);
        assertThat(warmUp.computeScore(labels, student, new ActivationIdentity(), null, true))
                .isCloseTo(full, within(1e-7));
    }

    @Test
    void survivesTheGraphConfigsJsonAndJavaSerialisation() throws Exception {
        TermLossFunction f = new TermLossFunction(
                List.of(
                        spec(1, "kd", 1.0, Map.of("temperature", 3.0), "logits"),
                        spec(2, "dkd", 0.25, Map.of("beta", 2.0, "warmup", 5.0), "logits")),
                C,
                C);
        f.setEpoch(2);
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.feedForward(C))
                .addLayer(
                        "out",
                        new LossLayer.Builder()
                                .lossFunction(f)
                                .activation(org.nd4j.linalg.activations.Activation.IDENTITY)
                                .build(),
                        "in")
                .setOutputs("out")
                .build();
        ComputationGraphConfiguration fromJson = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertThat(fromJson).isEqualTo(conf);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(conf);
        }
        ComputationGraphConfiguration fromJava;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            fromJava = (ComputationGraphConfiguration) in.readObject();
        }
        INDArray student = random(7, N, C);
        INDArray labels = labels(random(8, N, C));
        double expected = f.computeScore(labels, student, new ActivationIdentity(), null, true);
        for (ComputationGraphConfiguration back : List.of(fromJson, fromJava)) {
            var restored = GraphLosses.lossOf(back.getVertices().get("out"));
            assertThat(restored).isEqualTo(f);
            assertThat(restored.computeScore(labels, student, new ActivationIdentity(), null, true))
                    .isEqualTo(expected);
        }
    }

    @Test
    void badLabelsAndMasksAreRefusedNamingTheLayout() {
        TermLossFunction f = new TermLossFunction(List.of(spec(0, "ce", 1.0, Map.of(), null)), 0, C);
        INDArray student = random(9, N, C);
        assertThatThrownBy(() -> f.computeScore(random(1, N, C + 1), student, new ActivationIdentity(), null, true))
                .hasMessageContaining("labels must be [4, 5] (teacher 0 + one-hot 5), got [4, 6]");
        INDArray twoHot = labels(null);
        twoHot.putScalar(2, 0, 1f);
        assertThatThrownBy(() -> f.computeScore(twoHot, student, new ActivationIdentity(), null, true))
                .hasMessageContaining("row 2 of the labels is not one-hot over 5 classes");
        assertThatThrownBy(() -> f.computeScore(
                        labels(null), student, new ActivationIdentity(), Nd4j.ones(DataType.FLOAT, N, 1), true))
                .hasMessageContaining("do not take label masks");
        assertThatThrownBy(() -> new TermLossFunction(List.of(spec(0, "kd", 1.0, Map.of(), "logits")), 0, C))
                .hasMessageContaining("distillery.train.losses[0] (kd) needs the teacher's 'logits'");
        assertThatThrownBy(() -> new TermLossFunction(List.of(spec(0, "dkd", 1.0, Map.of(), "logits")), C, 0))
                .hasMessageContaining("distillery.train.losses[0] (dkd) needs class labels");
    }
}
