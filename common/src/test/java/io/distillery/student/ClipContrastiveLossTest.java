package io.distillery.student;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.distillery.model.kernels.SavedTensors;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * CLIP's symmetric InfoNCE and the learned logit scale against a direct double computation of
 * {@code (CE(S, diag) + CE(S^T, diag)) / 2} with {@code S = exp(s) cos(image_i, text_j)}, its gradients by central
 * differences of that computation.
 */
class ClipContrastiveLossTest {
    private static final int ROWS = 4;
    private static final int E = 3;
    private static final double H = 1e-6;

    /** The loss written out: images [B][E], texts [B][E], scale. */
    private static double direct(double[][] images, double[][] texts, double scale) {
        int b = images.length;
        double[][] logits = new double[b][b];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < b; j++) {
                double dot = 0;
                double ni = 0;
                double nt = 0;
                for (int k = 0; k < images[i].length; k++) {
                    dot += images[i][k] * texts[j][k];
                    ni += images[i][k] * images[i][k];
                    nt += texts[j][k] * texts[j][k];
                }
                logits[i][j] = scale * dot / Math.sqrt(ni * nt);
            }
        }
        double imageToText = 0;
        double textToImage = 0;
        for (int i = 0; i < b; i++) {
            double row = 0;
            double column = 0;
            for (int j = 0; j < b; j++) {
                row += Math.exp(logits[i][j]);
                column += Math.exp(logits[j][i]);
            }
            imageToText += Math.log(row) - logits[i][i];
            textToImage += Math.log(column) - logits[i][i];
        }
        return (imageToText / b + textToImage / b) / 2;
    }

    private static double direct(INDArray output) {
        double[][] images = new double[ROWS][E];
        double[][] texts = new double[ROWS][E];
        for (int i = 0; i < ROWS; i++) {
            for (int k = 0; k < E; k++) {
                images[i][k] = output.getDouble(i, k);
                texts[i][k] = output.getDouble(i, E + k);
            }
        }
        return direct(images, texts, output.getDouble(0, 2 * E));
    }

    private static INDArray output(double scale) {
        Nd4j.getRandom().setSeed(31);
        INDArray out = Nd4j.randn(DataType.DOUBLE, ROWS, 2 * E + 1);
        out.getColumn(2 * E).assign(scale);
        return out;
    }

    private static double score(ClipContrastiveLoss loss, INDArray output) {
        return loss.computeScore(Nd4j.zeros(DataType.DOUBLE, ROWS, 1), output, new ActivationIdentity(), null, true);
    }

    @Test
    void scoreAndEmbeddingGradientsMatchADirectComputation() {
        ClipContrastiveLoss loss = new ClipContrastiveLoss(E, 1.0);
        INDArray out = output(Math.exp(LogitScale.INIT));
        double expected = direct(out);
        assertThat(expected).isGreaterThan(0.1);
        assertThat(score(loss, out)).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(loss.computeScoreArray(Nd4j.zeros(DataType.DOUBLE, ROWS, 1), out, new ActivationIdentity(), null)
                        .sumNumber()
                        .doubleValue())
                .isCloseTo(ROWS * expected, org.assertj.core.data.Offset.offset(1e-11));
        INDArray grad = loss.computeGradient(Nd4j.zeros(DataType.DOUBLE, ROWS, 1), out, new ActivationIdentity(), null);
        // the gradient is that of the sum over rows: ROWS x the mean's
        for (int i = 0; i < ROWS; i++) {
            for (int k = 0; k < 2 * E; k++) {
                INDArray plus = out.dup();
                plus.putScalar(i, k, out.getDouble(i, k) + H);
                INDArray minus = out.dup();
                minus.putScalar(i, k, out.getDouble(i, k) - H);
                double numeric = ROWS * (direct(plus) - direct(minus)) / (2 * H);
                assertThat(grad.getDouble(i, k))
                        .as("[%d, %d]", i, k)
                        .isCloseTo(numeric, org.assertj.core.data.Offset.offset(1e-7));
            }
        }
        // the scale column: its total over the rows is d(sum)/d(scale)
        INDArray plus = out.dup();
        plus.getColumn(2 * E).addi(H);
        INDArray minus = out.dup();
        minus.getColumn(2 * E).subi(H);
        double numeric = ROWS * (direct(plus) - direct(minus)) / (2 * H);
        assertThat(grad.getColumn(2 * E).sumNumber().doubleValue())
                .isCloseTo(numeric, org.assertj.core.data.Offset.offset(1e-7));
    }

    private static INDArray array(JsonNode node) {
        JsonNode shape = node.get("shape");
        double[] data = new double[node.get("data").size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = node.get("data").get(i).doubleValue();
        }
        return Nd4j.create(data, new long[] {shape.get(0).asLong(), shape.get(1).asLong()}, DataType.DOUBLE);
    }

    private static double largest(INDArray a) {
        return Math.max(1, a.amaxNumber().doubleValue());
    }

    /** open_clip's loss after CLIP.forward (normalisation, exp of the parameter), torch autograd's gradients. */
    @Test
    void lossAndGradientsMatchOpenClip() throws IOException {
        JsonNode root;
        try (InputStream in = getClass().getResourceAsStream("/student/contrastive/clip.json")) {
            root = new ObjectMapper().readTree(in);
        }
        assertThat(root.get("cases").size()).isEqualTo(4);
        for (JsonNode c : root.get("cases")) {
            String name = c.get("name").asText();
            INDArray image = array(c.get("image"));
            INDArray text = array(c.get("text"));
            long rows = image.size(0);
            int e = (int) image.size(1);
            INDArray param =
                    Nd4j.valueArrayOf(new long[] {1, 1}, c.get("log_scale").doubleValue(), DataType.DOUBLE);
            INDArray paramGrad = Nd4j.zeros(DataType.DOUBLE, 1, 1);
            LogitScaleMath layer = new LogitScaleMath(2 * e, LogitScale.MAX);
            INDArray input = Nd4j.hstack(image, text);
            SavedTensors saved = new SavedTensors();
            INDArray out = layer.forward(input, Map.of(LogitScale.LOG_SCALE, param), saved, Nd4j::create);
            ClipContrastiveLoss loss = new ClipContrastiveLoss(e, 1.0);
            INDArray labels = Nd4j.zeros(DataType.DOUBLE, rows, 1);
            double expected = c.get("loss").doubleValue();
            assertThat(loss.computeScore(labels, out, new ActivationIdentity(), null, true))
                    .as(name)
                    .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-10 * Math.max(1, expected)));
            INDArray dOut = loss.computeGradient(labels, out, new ActivationIdentity(), null);
            // the loss's gradient is that of the sum over rows; torch's is of the mean
            INDArray dInput = layer.backward(
                            dOut,
                            input,
                            Map.of(LogitScale.LOG_SCALE, param),
                            Map.of(LogitScale.LOG_SCALE, paramGrad),
                            saved,
                            Nd4j::create)
                    .divi(rows);
            INDArray gradImage = array(c.get("grad_image"));
            INDArray gradText = array(c.get("grad_text"));
            assertThat(dInput.getColumns(java.util.stream.IntStream.range(0, e).toArray())
                            .sub(gradImage)
                            .amaxNumber()
                            .doubleValue())
                    .as(name + " image gradient")
                    .isLessThan(1e-10 * largest(gradImage));
            assertThat(dInput.getColumns(
                                    java.util.stream.IntStream.range(e, 2 * e).toArray())
                            .sub(gradText)
                            .amaxNumber()
                            .doubleValue())
                    .as(name + " text gradient")
                    .isLessThan(1e-10 * largest(gradText));
            double gradLogScale = c.get("grad_log_scale").doubleValue();
            assertThat(paramGrad.getDouble(0) / rows)
                    .as(name + " log-scale gradient")
                    .isCloseTo(
                            gradLogScale,
                            org.assertj.core.data.Offset.offset(1e-10 * Math.max(1, Math.abs(gradLogScale))));
        }
    }

    @Test
    void theWeightScalesScoreAndGradient() {
        INDArray out = output(5.0);
        ClipContrastiveLoss one = new ClipContrastiveLoss(E, 1.0);
        ClipContrastiveLoss weighted = new ClipContrastiveLoss(E, 0.25);
        assertThat(score(weighted, out)).isCloseTo(0.25 * score(one, out), org.assertj.core.data.Offset.offset(1e-12));
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, ROWS, 1);
        INDArray g1 = one.computeGradient(labels, out, new ActivationIdentity(), null);
        INDArray gw = weighted.computeGradient(labels, out, new ActivationIdentity(), null);
        assertThat(gw.sub(g1.mul(0.25)).amaxNumber().doubleValue()).isLessThan(1e-12);
    }

    @Test
    void theLogScaleGradientFlowsThroughTheScaleLayer() {
        LogitScaleMath layer = new LogitScaleMath(2 * E, LogitScale.MAX);
        double s = 1.3;
        INDArray param = Nd4j.valueArrayOf(new long[] {1, 1}, s, DataType.DOUBLE);
        INDArray paramGrad = Nd4j.zeros(DataType.DOUBLE, 1, 1);
        INDArray embeddings = output(1.0).getColumns(0, 1, 2, 3, 4, 5);
        SavedTensors saved = new SavedTensors();
        INDArray out = layer.forward(embeddings, Map.of(LogitScale.LOG_SCALE, param), saved, Nd4j::create);
        assertThat(out.getColumn(2 * E).getDouble(2))
                .isCloseTo(Math.exp(s), org.assertj.core.data.Offset.offset(1e-12));
        ClipContrastiveLoss loss = new ClipContrastiveLoss(E, 1.0);
        INDArray dOut = loss.computeGradient(Nd4j.zeros(DataType.DOUBLE, ROWS, 1), out, new ActivationIdentity(), null);
        INDArray dEmbeddings = layer.backward(
                dOut,
                embeddings,
                Map.of(LogitScale.LOG_SCALE, param),
                Map.of(LogitScale.LOG_SCALE, paramGrad),
                saved,
                Nd4j::create);
        assertThat(dEmbeddings).isEqualTo(dOut.getColumns(0, 1, 2, 3, 4, 5));
        INDArray plus = out.dup();
        plus.getColumn(2 * E).assign(Math.exp(s + H));
        INDArray minus = out.dup();
        minus.getColumn(2 * E).assign(Math.exp(s - H));
        double numeric = ROWS * (direct(plus) - direct(minus)) / (2 * H);
        assertThat(paramGrad.getDouble(0)).isCloseTo(numeric, org.assertj.core.data.Offset.offset(1e-7));
        assertThat(Math.abs(numeric)).isGreaterThan(1e-3);
    }

    @Test
    void theLogScaleIsClampedAsOpenClipDoes() {
        LogitScaleMath layer = new LogitScaleMath(2 * E, LogitScale.MAX);
        INDArray param = Nd4j.valueArrayOf(new long[] {1, 1}, 6.0, DataType.DOUBLE);
        INDArray out = layer.forward(
                output(1.0).getColumns(0, 1, 2, 3, 4, 5), Map.of(LogitScale.LOG_SCALE, param), null, Nd4j::create);
        assertThat(param.getDouble(0)).isEqualTo(Math.log(100));
        assertThat(out.getDouble(0, 2 * E)).isCloseTo(100, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void refusesAnOutputOfTheWrongWidth() {
        ClipContrastiveLoss loss = new ClipContrastiveLoss(E, 1.0);
        assertThatThrownBy(() -> score(loss, Nd4j.zeros(DataType.DOUBLE, ROWS, 2 * E)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clip-contrastive");
    }
}
