package io.distillery.model.bert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The BERT encoder against transformers' BertModel forward (generate.py, PyTorch float32) on a padded batch: every
 * hidden state, the pooled output and layer 1's attention probabilities, at every position, padded ones included.
 */
class BertParityTest {
    /** Allowed max |actual - expected| relative to max |expected| of the tensor. */
    private static final double RELATIVE_TOL = 1e-5;

    private static BertOutputs outputs;
    private static INDArray mask;

    @BeforeAll
    static void run() {
        BertEncoder encoder = BertEncoder.load(BertFixtures.config(), BertFixtures.weights());
        mask = BertFixtures.array("attention_mask");
        outputs = BertFixtures.run(encoder, Set.of(1));
    }

    @AfterAll
    static void free() {
        outputs.close();
    }

    @Test
    void everyHiddenStateMatchesAtEveryPosition() {
        assertThat(outputs.hiddenStates()).hasSize(BertFixtures.LAYERS + 1);
        for (int n = 0; n <= BertFixtures.LAYERS; n++) {
            assertClose(
                    String.format("hidden_states_%02d", n),
                    outputs.hiddenStates().get(n));
        }
        assertThat(outputs.lastHiddenState()).isSameAs(outputs.hiddenStates().get(BertFixtures.LAYERS));
    }

    @Test
    void realPositionsMatchAsClosely() {
        // the padded positions are well defined (HF adds finfo.min to padded keys only); this checks that the
        // agreement above is not carried by them
        INDArray expected = BertFixtures.array(String.format("hidden_states_%02d", BertFixtures.LAYERS));
        INDArray actual = outputs.lastHiddenState();
        double worst = 0;
        for (int b = 0; b < mask.size(0); b++) {
            for (int t = 0; t < mask.size(1); t++) {
                if (mask.getLong(b, t) == 1) {
                    INDArray e = expected.get(NDArrayIndex.point(b), NDArrayIndex.point(t), NDArrayIndex.all());
                    INDArray a = actual.get(NDArrayIndex.point(b), NDArrayIndex.point(t), NDArrayIndex.all());
                    worst = Math.max(worst, a.sub(e).amaxNumber().doubleValue());
                }
            }
        }
        System.out.printf("bert parity real positions of the last layer: max abs diff %.3e%n", worst);
        assertThat(worst)
                .isLessThanOrEqualTo(RELATIVE_TOL * expected.amaxNumber().doubleValue());
    }

    @Test
    void pooledOutputMatches() {
        assertClose("pooled", outputs.pooled());
    }

    @Test
    void attentionProbabilitiesMatch() {
        assertThat(outputs.attentions().keySet()).containsExactly(1);
        INDArray probs = outputs.attentions().get(1);
        assertThat(probs.shape()).containsExactly(6, BertFixtures.HEADS, 12, 12);
        assertClose("attentions_01", probs);
    }

    @Test
    void paddedKeysGetExactlyZeroAndARowWithoutRealTokensIsUniform() {
        INDArray probs = outputs.attentions().get(1);
        for (int b = 0; b < 5; b++) {
            for (int key = 0; key < 12; key++) {
                if (mask.getLong(b, key) == 0) {
                    INDArray column = probs.get(
                            NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(key));
                    assertThat(column.amaxNumber().doubleValue())
                            .as("sample %d key %d", b, key)
                            .isZero();
                }
            }
        }
        // row 5 has no real token: every score is the same lowest float, so the softmax is uniform (as in HF eager)
        INDArray uniform = probs.get(NDArrayIndex.point(5), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
        assertThat(uniform.sub(1.0 / 12).amaxNumber().doubleValue()).isLessThan(1e-7);
    }

    private static void assertClose(String fixture, INDArray actual) {
        INDArray expected = BertFixtures.array(fixture);
        assertThat(actual.shape()).as(fixture).isEqualTo(expected.shape());
        double diff = actual.castTo(DataType.DOUBLE)
                .sub(expected.castTo(DataType.DOUBLE))
                .amaxNumber()
                .doubleValue();
        double scale = expected.amaxNumber().doubleValue();
        System.out.printf(
                "bert parity %-18s max abs diff %.3e, max |expected| %.3f, relative %.2e (tolerance %.0e)%n",
                fixture, diff, scale, diff / scale, RELATIVE_TOL);
        assertThat(diff).as("max |actual - %s|", fixture).isLessThanOrEqualTo(RELATIVE_TOL * scale);
    }
}
