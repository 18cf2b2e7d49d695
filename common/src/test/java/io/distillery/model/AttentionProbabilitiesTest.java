package io.distillery.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.distillery.model.kernels.NativeEngine;
import io.distillery.model.layers.RelativePositionIndex;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The attention probabilities an encoder hands back are softmax(q k^T / sqrt(head_dim) + relative position bias),
 * recomputed here in double from the block's input and the layer's parameters, without the kernels.
 */
class AttentionProbabilitiesTest {

    @ParameterizedTest
    @EnumSource(ModelFamily.class)
    void equalTheSoftmaxOfScaledScoresPlusBias(ModelFamily family) {
        ModelConfig c = TinyEncoders.config(family, 3);
        Encoder encoder = new Encoder(c, TinyEncoders.randomGraph(c), null);
        Nd4j.getRandom().setSeed(11);
        INDArray images = Nd4j.randn(DataType.FLOAT, 2, 3, 16, 16);
        List<float[]> plain;
        try (EncoderActivations acts = encoder.forward(images)) {
            assertThat(acts.attention()).isEmpty();
            plain = acts.blockOutputs().stream()
                    .map(a -> a.dup('c').data().asFloat())
                    .toList();
        }
        try (EncoderActivations acts = encoder.forward(images, Set.of(0, 2))) {
            assertThat(acts.attention()).containsOnlyKeys(0, 2);
            for (int b : new int[] {0, 2}) {
                INDArray input =
                        b == 0 ? acts.blockInput() : acts.blockOutputs().get(b - 1);
                double[][][][] expected = reference(encoder.graph().getLayer(VertexNames.attention(b)), c, input);
                INDArray actual = acts.attention().get(b);
                int heads = c.numHeads();
                int t = c.tokens();
                assertThat(actual.shape()).containsExactly(2, heads, t, t);
                for (int i = 0; i < 2; i++) {
                    for (int h = 0; h < heads; h++) {
                        for (int q = 0; q < t; q++) {
                            double sum = 0;
                            for (int k = 0; k < t; k++) {
                                double p = actual.getDouble(i, h, q, k);
                                sum += p;
                                assertThat(p)
                                        .as("block %d image %d head %d [%d, %d]", b, i, h, q, k)
                                        .isCloseTo(expected[i][h][q][k], within(2e-6));
                            }
                            assertThat(sum).isCloseTo(1.0, within(1e-5));
                        }
                    }
                }
            }
            // keeping the probabilities changes nothing else
            for (int b = 0; b < c.depth(); b++) {
                assertThat(acts.blockOutputs().get(b).dup('c').data().asFloat()).containsExactly(plain.get(b));
            }
        }
    }

    @Test
    void theSameDiffEngineSaysItCannotExposeThem() {
        ModelConfig c = TinyEncoders.config(ModelFamily.BEITV2, 1);
        ComputationGraph graph;
        System.setProperty(NativeEngine.PROPERTY, "samediff");
        try {
            graph = TinyEncoders.randomGraph(c);
        } finally {
            System.clearProperty(NativeEngine.PROPERTY);
        }
        Encoder encoder = new Encoder(c, graph, null);
        INDArray images = Nd4j.zeros(DataType.FLOAT, 1, 3, 16, 16);
        assertThatThrownBy(() -> encoder.forward(images, Set.of(0)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("attention probabilities are exposed by the native engine only");
        assertThatThrownBy(() -> encoder.forward(images, Set.of(1)))
                .hasMessage("attention block 1 (0-based) is outside the encoder's 1 blocks");
    }

    /** [B][H][T][T] from the attention layer's input [B, T, D] (BEiT: pre-norm, q/v biases, relative bias). */
    private static double[][][][] reference(Layer layer, ModelConfig c, INDArray input) {
        boolean beit = c.family() == ModelFamily.BEITV2;
        int d = c.embedDim();
        int heads = c.numHeads();
        int hd = d / heads;
        int t = c.tokens();
        int batch = (int) input.size(0);
        double[] w = values(layer.getParam("qkvW")); // [3D, D], PyTorch layout
        double[] bias = new double[3 * d];
        if (beit) {
            System.arraycopy(values(layer.getParam("qBias")), 0, bias, 0, d);
            System.arraycopy(values(layer.getParam("vBias")), 0, bias, 2 * d, d);
        } else {
            bias = values(layer.getParam("qkvB"));
        }
        double[] normW = values(layer.getParam("norm1W"));
        double[] normB = values(layer.getParam("norm1B"));
        double[] table = beit ? values(layer.getParam("relTable")) : null; // [rows, H]
        int[][] index = beit ? RelativePositionIndex.index(c.imgSize() / c.patchSize()) : null;
        double[][][][] out = new double[batch][heads][t][t];
        for (int i = 0; i < batch; i++) {
            double[][] x = new double[t][d];
            for (int r = 0; r < t; r++) {
                for (int j = 0; j < d; j++) {
                    x[r][j] = input.getDouble(i, r, j);
                }
                if (beit) {
                    x[r] = layerNorm(x[r], normW, normB, c.layerNormEps());
                }
            }
            double[][] qkv = new double[t][3 * d];
            for (int r = 0; r < t; r++) {
                for (int o = 0; o < 3 * d; o++) {
                    double s = bias[o];
                    for (int j = 0; j < d; j++) {
                        s += x[r][j] * w[o * d + j];
                    }
                    qkv[r][o] = s;
                }
            }
            for (int h = 0; h < heads; h++) {
                for (int q = 0; q < t; q++) {
                    double[] logits = new double[t];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < t; k++) {
                        double s = 0;
                        for (int j = 0; j < hd; j++) {
                            s += qkv[q][h * hd + j] * qkv[k][d + h * hd + j];
                        }
                        logits[k] = s / Math.sqrt(hd) + (beit ? table[index[q][k] * heads + h] : 0);
                        max = Math.max(max, logits[k]);
                    }
                    double sum = 0;
                    for (int k = 0; k < t; k++) {
                        logits[k] = Math.exp(logits[k] - max);
                        sum += logits[k];
                    }
                    for (int k = 0; k < t; k++) {
                        out[i][h][q][k] = logits[k] / sum;
                    }
                }
            }
        }
        return out;
    }

    private static double[] layerNorm(double[] x, double[] w, double[] b, double eps) {
        double mean = 0;
        for (double v : x) {
            mean += v / x.length;
        }
        double var = 0;
        for (double v : x) {
            var += (v - mean) * (v - mean) / x.length;
        }
        double[] y = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            y[j] = (x[j] - mean) / Math.sqrt(var + eps) * w[j] + b[j];
        }
        return y;
    }

    private static double[] values(INDArray param) {
        return param.dup('c').reshape(param.length()).toDoubleVector();
    }
}
