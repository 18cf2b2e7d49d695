package io.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.distillery.features.FeatureColumns;
import io.distillery.losses.CrossEntropyLoss;
import io.distillery.losses.LossInputs;
import io.distillery.losses.LossValue;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * finetune's label smoothing: the smoothed rows ClassColumn writes, fed to the classifier's softmax + MCXENT output
 * layer, give exactly the loss and gradient of the {@code ce} term with the same ε (which is checked against
 * PyTorch's {@code F.cross_entropy(label_smoothing=ε)} in common's golden cases).
 */
class ClassColumnTest {
    private static final StructType SCHEMA = new StructType()
            .add(FeatureColumns.KEY, DataTypes.StringType)
            .add(FeatureColumns.LABEL, DataTypes.IntegerType);

    private static Row row(int label) {
        return new GenericRowWithSchema(new Object[] {"k" + label, label}, SCHEMA);
    }

    @Test
    void oneHotWithoutSmoothingAndTheSmoothedTargetWithIt() {
        float[] plain = new float[4];
        new ClassColumn(FeatureColumns.LABEL, 4, "finetune").fill(row(2), plain, 0);
        assertThat(plain).containsExactly(0, 0, 1, 0);
        float[] smoothed = new float[6];
        new ClassColumn(FeatureColumns.LABEL, 4, "finetune", 0.2).fill(row(1), smoothed, 2);
        assertThat(smoothed).containsExactly(0, 0, 0.05f, 0.85f, 0.05f, 0.05f);
    }

    @Test
    void theOutputLayerOnSmoothedRowsTrainsTheSmoothedCrossEntropy() {
        int n = 5;
        int classes = 7;
        double epsilon = 0.1;
        int[] labels = {3, 0, 6, 3, 1};
        Random rnd = new Random(7);
        double[][] s = new double[n][classes];
        for (double[] r : s) {
            for (int j = 0; j < classes; j++) {
                r[j] = 2 * rnd.nextGaussian();
            }
        }
        INDArray logits = Nd4j.create(s);
        float[] targets = new float[n * classes];
        ClassColumn column = new ClassColumn(FeatureColumns.LABEL, classes, "finetune", epsilon);
        for (int i = 0; i < n; i++) {
            column.fill(row(labels[i]), targets, i * classes);
        }
        INDArray target = Nd4j.create(targets, new long[] {n, classes}).castTo(DataType.DOUBLE);

        LossMCXENT mcxent = new LossMCXENT();
        double score = mcxent.computeScore(target, logits.dup(), new ActivationSoftmax(), null, true);
        // DL4J's per-example gradient; the mean over the minibatch is taken when the updater applies it
        INDArray grad = mcxent.computeGradient(target, logits.dup(), new ActivationSoftmax(), null)
                .div(n);
        LossValue ce = new CrossEntropyLoss(epsilon).compute(LossInputs.ofLabels(logits, labels));

        assertThat(score).isCloseTo(ce.value(), within(1e-6));
        assertThat(grad.sub(ce.gradient()).amaxNumber().doubleValue()).isLessThan(1e-7);
        double plain = new CrossEntropyLoss(0)
                .compute(LossInputs.ofLabels(logits, labels))
                .value();
        assertThat(Math.abs(score - plain)).as("smoothing changes the loss").isGreaterThan(1e-3);
    }

    @Test
    void aSmoothingOutsideZeroToOneIsRefusedNamingWhoSetIt() {
        assertThatThrownBy(() -> new ClassColumn(FeatureColumns.LABEL, 4, "finetune", 1.0))
                .hasMessage("finetune: label-smoothing must be in [0, 1), got 1.0");
    }
}
