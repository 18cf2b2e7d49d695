package io.distillery.model.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.model.VertexNames;
import io.distillery.model.kernels.NativeEngine;
import java.io.File;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/** The text graph's structure: its outputs, the FFN branch vertices, JSON, the engine it needs. */
class TextEncoderGraphTest {

    @Test
    void theOutputsAreTheHiddenStatesThenTheFfnBranches() {
        assertThat(TextEncoderGraph.outputs(TinyText.CONFIG))
                .containsExactly("embed", "blocks.0", "blocks.1", "blocks.0.mlp", "blocks.1.mlp");
        ComputationGraph net = TextEncoderGraph.create(TinyText.CONFIG, TinyText.TOKENS, 3, DataType.FLOAT);
        INDArray[] out = net.output(false, TinyText.inputs(DataType.FLOAT));
        assertThat(out).hasSize(5);
        for (INDArray o : out) {
            assertThat(o.shape()).containsExactly(3, (long) TinyText.TOKENS * TinyText.CONFIG.hiddenSize());
        }
    }

    /** The mlp vertex is fc2(GELU(fc1(a))) of the attention output a, before the residual and norm2. */
    @Test
    void theFfnVertexIsTheBranchBeforeTheResidual() {
        ComputationGraph net = TextEncoderGraph.create(TinyText.CONFIG, TinyText.TOKENS, 3, DataType.DOUBLE);
        Map<String, INDArray> acts = net.feedForward(TinyText.inputs(DataType.DOUBLE), false);
        Map<String, INDArray> p = TextWeights.graphParams(net);
        double[][] a = acts.get(VertexNames.attention(1))
                .reshape(3L * TinyText.TOKENS, TinyText.CONFIG.hiddenSize())
                .toDoubleMatrix();
        double[][] w1 = p.get("encoder.layer.1.intermediate.dense.weight").toDoubleMatrix();
        double[] b1 = p.get("encoder.layer.1.intermediate.dense.bias").toDoubleVector();
        double[][] w2 = p.get("encoder.layer.1.output.dense.weight").toDoubleMatrix();
        double[] b2 = p.get("encoder.layer.1.output.dense.bias").toDoubleVector();
        double[][] ffn = acts.get(VertexNames.mlp(1))
                .reshape(3L * TinyText.TOKENS, TinyText.CONFIG.hiddenSize())
                .toDoubleMatrix();
        double worst = 0;
        for (int r = 0; r < a.length; r++) {
            double[] h = new double[b1.length];
            for (int i = 0; i < h.length; i++) {
                h[i] = b1[i];
                for (int j = 0; j < a[r].length; j++) {
                    h[i] += w1[i][j] * a[r][j];
                }
            }
            h = exactGelu(h);
            for (int o = 0; o < b2.length; o++) {
                double y = b2[o];
                for (int i = 0; i < h.length; i++) {
                    y += w2[o][i] * h[i];
                }
                worst = Math.max(worst, Math.abs(y - ffn[r][o]));
            }
        }
        assertThat(worst).isLessThan(1e-10);
    }

    private static double[] exactGelu(double[] z) {
        INDArray erf = Nd4j.createFromArray(z).muli(1 / Math.sqrt(2));
        Nd4j.exec(new Erf(erf, erf));
        double[] e = erf.toDoubleVector();
        double[] out = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            out[i] = z[i] * 0.5 * (1 + e[i]);
        }
        return out;
    }

    @Test
    void theGraphConfigSurvivesJson() {
        ComputationGraphConfiguration conf = TextEncoderGraph.createMaskedLm(
                        TinyText.CONFIG, TinyText.TOKENS, TextEncoderGraph.base(1, DataType.FLOAT))
                .getConfiguration();
        assertThat(ComputationGraphConfiguration.fromJson(conf.toJson())).isEqualTo(conf);
    }

    @Test
    void aSavedMlmGraphRestoresWithItsUpdaterAndComputesTheSame(@TempDir Path dir) throws Exception {
        ComputationGraph net = TextEncoderGraph.createMaskedLm(
                TinyText.CONFIG,
                TinyText.TOKENS,
                TextEncoderGraph.base(4, DataType.FLOAT).updater(new Adam(1e-3)));
        MultiDataSet batch =
                new MultiDataSet(TinyText.inputs(DataType.FLOAT), new INDArray[] {TinyText.labels(DataType.FLOAT)});
        net.fit(batch);
        File zip = dir.resolve("mlm.zip").toFile();
        ModelSerializer.writeModel(net, zip, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(zip, true);
        assertThat(restored.params()).isEqualTo(net.params());
        assertThat(restored.getUpdater().getStateViewArray())
                .isEqualTo(net.getUpdater().getStateViewArray());
        assertThat(restored.score(batch)).isEqualTo(net.score(batch));
    }

    @Test
    void theSameDiffEngineIsRefusedWhenTheGraphIsBuilt() {
        System.setProperty(NativeEngine.PROPERTY, "samediff");
        try {
            assertThatThrownBy(() -> TextEncoderGraph.create(TinyText.CONFIG, TinyText.TOKENS, 1, DataType.FLOAT))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("the text encoder runs on the native engine only");
        } finally {
            System.clearProperty(NativeEngine.PROPERTY);
        }
    }

    @Test
    void moreTokensThanPositionsAreRefused() {
        assertThatThrownBy(() -> TextEncoderGraph.create(TinyText.CONFIG, 8, 1, DataType.FLOAT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("8 tokens, but the model has 7 positions");
    }
}
