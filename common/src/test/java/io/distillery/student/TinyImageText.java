package io.distillery.student;

import io.distillery.model.ModelConfig;
import io.distillery.model.ModelFamily;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The tiny multimodal students of the image-text tests, in double precision (a test class extends this): 8 x 8
 * images in 4 x 4 patches (CLS + 4 tokens), width 8, 2 heads, MLP 16, three captions of 5 tokens with padding.
 */
abstract class TinyImageText {
    static final int TEXT_TOKENS = 5;
    static final double EPS = 1e-6;

    @BeforeEach
    void doubles() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterEach
    void floats() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
    }

    /** The image encoder: data2vec2 (post-norm), or BEiT v2 with layer scale 0.1 and a relative position bias. */
    static ModelConfig image(ModelFamily family, int depth) {
        boolean beit = family == ModelFamily.BEITV2;
        return new ModelConfig(
                family,
                8,
                4,
                3,
                8,
                depth,
                2,
                2.0,
                true,
                EPS,
                beit ? 0.1 : 0.0,
                beit,
                false,
                new double[] {0.5, 0.5, 0.5},
                new double[] {0.25, 0.25, 0.25},
                0);
    }

    /** Pixels [3, 3, 8, 8], caption ids, type ids (0) and masks [3, 5] (5, 3 and 2 real tokens). */
    static INDArray[] inputs() {
        Nd4j.getRandom().setSeed(17);
        INDArray pixels = Nd4j.randn(DataType.DOUBLE, 3, 3, 8, 8);
        INDArray ids = Nd4j.create(new double[][] {{2, 7, 7, 4, 3}, {2, 5, 3, 0, 0}, {2, 9, 0, 0, 0}});
        INDArray mask = Nd4j.create(new double[][] {{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}, {1, 1, 0, 0, 0}});
        return new INDArray[] {pixels, ids, Nd4j.zeros(DataType.DOUBLE, 3, TEXT_TOKENS), mask};
    }

    /** Moves every parameter off its init value (N(0, 0.3) noise from {@code seed}). */
    static void randomise(ComputationGraph net, long seed) {
        Nd4j.getRandom().setSeed(seed);
        net.params().addi(Nd4j.randn(DataType.DOUBLE, net.params().shape()).muli(0.3));
    }
}
