package io.distillery.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.masking.MaskGenerator;
import io.distillery.masking.MaskInput;
import io.distillery.model.ModelConfig;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** M1 compares like with like: the masked encoder is the unmasked one's layers on the kept tokens only. */
class MaskBenchmarkTest {

    @Test
    void theMaskedEncoderHasTheSameParametersAndRunsOnTheKeptTokensPlusCls() {
        ModelConfig c = MaskBenchmark.stepRow("fmnist").config();
        MaskGenerator masks = MaskBenchmark.masking(1).generator(c);
        ComputationGraph plain = MaskBenchmark.encoderOnly(c, null);
        ComputationGraph masked = MaskBenchmark.encoderOnly(c, masks);
        assertThat(masked.numParams()).isEqualTo(plain.numParams());
        assertThat(masks.keptCount()).isEqualTo(9); // int(49 * 0.2)

        INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 28, 28);
        float[] mask = new float[2 * MaskInput.width(49)];
        for (int i = 0; i < 2; i++) {
            MaskInput.write(masks.mask(0, "row-" + i, 0, 0), 1, mask, i * MaskInput.width(49));
        }
        INDArray maskInput = Nd4j.create(mask, new long[] {2, MaskInput.width(49)}, DataType.FLOAT);
        assertThat(plain.output(images)[0].shape()).containsExactly(2, 50L * 64);
        assertThat(masked.output(images, maskInput)[0].shape()).containsExactly(2, 10L * 64);
    }
}
