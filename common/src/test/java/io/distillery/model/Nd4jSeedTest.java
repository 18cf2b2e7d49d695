package io.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.npy.ParityFiles;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** A user seed, 0 included (every job's default), always gives the same random initialisation. */
class Nd4jSeedTest {
    @Test
    void seedZeroInitialisesTheSameWeightsEveryTime() {
        ModelConfig config = ModelConfigs.fromJson(ParityFiles.file("student_d2v2/config.json"));
        for (long seed : new long[] {0, 1}) {
            float[] first = EncoderGraph.create(config, seed, DataType.FLOAT)
                    .params()
                    .dup()
                    .data()
                    .asFloat();
            float[] again = EncoderGraph.create(config, seed, DataType.FLOAT)
                    .params()
                    .dup()
                    .data()
                    .asFloat();
            assertThat(again).as("seed %d", seed).containsExactly(first);
        }
        float[] zero = EncoderGraph.create(config, 0, DataType.FLOAT)
                .params()
                .dup()
                .data()
                .asFloat();
        float[] one = EncoderGraph.create(config, 1, DataType.FLOAT)
                .params()
                .dup()
                .data()
                .asFloat();
        assertThat(one).isNotEqualTo(zero);
    }

    @Test
    void theMixNeverGivesZero() {
        assertThat(Nd4jSeed.of(0)).isNotZero();
        assertThat(Nd4jSeed.of(0)).isNotEqualTo(Nd4jSeed.of(1));
        assertThat(Nd4jSeed.of(42)).isEqualTo(Nd4jSeed.of(42));
    }
}
