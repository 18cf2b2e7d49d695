package io.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.checkpoint.SafetensorsFile;
import io.distillery.model.layers.RelativePositionBias;
import io.distillery.npy.ParityFiles;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The SameDiff bias construction (one-hot matmuls, CLS rows) against timm's gathered bias, per block. */
class RelativePositionBiasTest {

    @Test
    void sameDiffBiasEqualsTimmBiasForEveryBlock() throws Exception {
        INDArray expected = ParityFiles.array("teacher_beitv2/rel_pos_bias"); // [L, H, T, T]
        try (SafetensorsFile weights = SafetensorsFile.open(ParityFiles.file("teacher_beitv2/weights.safetensors"))) {
            for (int b = 0; b < 4; b++) {
                SameDiff sd = SameDiff.create();
                SDVariable table = sd.constant(weights.readArray("blocks." + b + ".attn.relative_position_bias_table"));
                INDArray bias = RelativePositionBias.define(sd, table, 4, 4, DataType.FLOAT)
                        .eval();
                assertThat(ParityAssert.maxAbsDiff(bias, expected.slice(b)))
                        .as("block %d", b)
                        .isZero();
            }
        }
    }
}
