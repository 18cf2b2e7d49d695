package io.distillery.model.bert;

import static io.distillery.model.bert.BertWeightsTest.assertIdentical;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.text.Encoding;
import io.distillery.text.WordPieceTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The forward pass's inputs: defaults, tokenizer encodings, padding independence and the input checks. */
class BertEncoderTest {
    private static BertEncoder encoder;
    private static INDArray ids;
    private static INDArray mask;
    private static INDArray types;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        encoder = BertEncoder.load(BertFixtures.config(), BertFixtures.weights());
        ids = BertFixtures.array("input_ids");
        mask = BertFixtures.array("attention_mask");
        types = BertFixtures.array("token_type_ids");
    }

    @Test
    void aMissingMaskMeansAllRealAndMissingTypesMeanSegmentZero() {
        INDArray row = ids.get(NDArrayIndex.interval(0, 1), NDArrayIndex.all()); // the unpadded pair
        try (BertOutputs defaults = encoder.forward(row, null, null);
                BertOutputs explicit =
                        encoder.forward(row, Nd4j.ones(DataType.INT, 1, 12), Nd4j.zeros(DataType.LONG, 1, 12))) {
            assertIdentical(defaults.lastHiddenState(), explicit.lastHiddenState());
            assertIdentical(defaults.pooled(), explicit.pooled());
        }
    }

    @Test
    void paddingDoesNotChangeTheRealTokens() {
        // row 1 has 9 real tokens and 3 padded ones: alone and without the padding, its tokens come out the same
        INDArray row = ids.get(NDArrayIndex.interval(1, 2), NDArrayIndex.interval(0, 9));
        try (BertOutputs padded = BertFixtures.run(encoder, Set.of());
                BertOutputs alone = encoder.forward(
                        row, null, types.get(NDArrayIndex.interval(1, 2), NDArrayIndex.interval(0, 9)))) {
            for (int n = 0; n <= BertFixtures.LAYERS; n++) {
                INDArray inBatch = padded.hiddenStates()
                        .get(n)
                        .get(NDArrayIndex.interval(1, 2), NDArrayIndex.interval(0, 9), NDArrayIndex.all());
                double diff =
                        inBatch.sub(alone.hiddenStates().get(n)).amaxNumber().doubleValue();
                assertThat(diff).as("hidden state %d", n).isLessThan(1e-5);
            }
        }
    }

    @Test
    void tokenizerEncodingsGiveTheSameOutputsAsTheirIds() throws IOException {
        Path vocab = dir.resolve("vocab.txt");
        Files.writeString(
                vocab,
                String.join(
                                "\n", "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "on", "mat",
                                "dog", "ran", "##s", ".")
                        + "\n",
                StandardCharsets.UTF_8);
        WordPieceTokenizer tokenizer = WordPieceTokenizer.fromVocab(vocab, true);
        List<Encoding> batch =
                List.of(tokenizer.encodePair("The cat sat.", "The dogs ran.", 14), tokenizer.encode("the mat", 14));
        int[][] idRows = {batch.get(0).ids(), batch.get(1).ids()};
        int[][] maskRows = {batch.get(0).attentionMask(), batch.get(1).attentionMask()};
        int[][] typeRows = {batch.get(0).typeIds(), batch.get(1).typeIds()};
        assertThat(typeRows[0]).contains(1);
        assertThat(maskRows[1]).contains(0);
        try (BertOutputs fromEncodings = encoder.forward(batch, Set.of(0));
                BertOutputs fromIds = encoder.forward(
                        Nd4j.createFromArray(idRows),
                        Nd4j.createFromArray(maskRows),
                        Nd4j.createFromArray(typeRows),
                        Set.of(0))) {
            assertIdentical(fromEncodings.lastHiddenState(), fromIds.lastHiddenState());
            assertIdentical(
                    fromEncodings.attentions().get(0), fromIds.attentions().get(0));
        }
    }

    @Test
    void inputsOutsideTheModelAreRefusedByValue() {
        INDArray tooLarge = ids.dup();
        tooLarge.putScalar(new long[] {0, 3}, 120);
        assertThatThrownBy(() -> encoder.forward(tooLarge, mask, types))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("token id 120 at position 3 is outside [0, 120)");
        INDArray typeTwo = types.dup();
        typeTwo.putScalar(new long[] {2, 1}, 2);
        assertThatThrownBy(() -> encoder.forward(ids, mask, typeTwo))
                .hasMessage("token type id 2 at position 25 is outside [0, 2)");
        assertThatThrownBy(() -> encoder.forward(Nd4j.zeros(DataType.INT, 1, 41), null, null))
                .hasMessage("41 tokens, but the model has 40 positions (max_position_embeddings)");
        INDArray maskTwo = mask.dup();
        maskTwo.putScalar(new long[] {1, 0}, 2);
        assertThatThrownBy(() -> encoder.forward(ids, maskTwo, types))
                .hasMessage("attention mask values must be 0 or 1, got 2 at [1, 0]");
        assertThatThrownBy(() -> encoder.forward(ids, mask, types, Set.of(2)))
                .hasMessage("attention layer 2 (0-based) is outside the encoder's 2 layers");
        assertThatThrownBy(() -> encoder.forward(ids, mask.get(NDArrayIndex.interval(0, 2), NDArrayIndex.all()), types))
                .hasMessage("attention mask have shape [2, 12], the input ids [6, 12]");
        assertThatThrownBy(() -> encoder.forward(Nd4j.createFromArray(new float[][] {{2f, 1.5f}}), null, null))
                .hasMessage("input ids must hold integers, got 1.5 at flat index 1");
    }
}
