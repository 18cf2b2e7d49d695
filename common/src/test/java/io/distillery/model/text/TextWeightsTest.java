package io.distillery.model.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.checkpoint.CheckpointFormatException;
import io.distillery.checkpoint.DType;
import io.distillery.checkpoint.SafetensorsFile;
import io.distillery.model.bert.BertConfig;
import io.distillery.model.bert.BertEncoder;
import io.distillery.model.bert.BertFixtures;
import io.distillery.model.bert.BertOutputs;
import io.distillery.model.bert.BertWeights;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Hugging Face weights into and out of the text graph: export/load round trip, layer inheritance, the MLM head. */
class TextWeightsTest {
    private static final BertConfig FIXTURE = BertFixtures.config();
    private static final int TOKENS = 12;

    @Test
    void anExportLoadsBackIntoAFreshGraphAndIntoTheTeacher(@TempDir Path dir) throws Exception {
        ComputationGraph trained =
                TextEncoderGraph.createMaskedLm(FIXTURE, TOKENS, TextEncoderGraph.base(5, DataType.FLOAT));
        Path file = dir.resolve("mlm.safetensors");
        TextWeights.write(trained, file, DType.F32);

        ComputationGraph fresh =
                TextEncoderGraph.createMaskedLm(FIXTURE, TOKENS, TextEncoderGraph.base(6, DataType.FLOAT));
        assertThat(fresh.params()).isNotEqualTo(trained.params());
        TextWeights.load(fresh, FIXTURE, file);
        assertThat(fresh.params()).isEqualTo(trained.params());

        Map<String, INDArray> exported = TextWeights.export(trained);
        assertThat(exported)
                .containsKeys(
                        "bert.embeddings.word_embeddings.weight",
                        "bert.encoder.layer.1.attention.self.key.bias",
                        "bert.encoder.layer.1.output.LayerNorm.weight",
                        "cls.predictions.transform.dense.weight",
                        "cls.predictions.transform.LayerNorm.bias",
                        "cls.predictions.decoder.weight",
                        "cls.predictions.bias");
        assertThat(exported.get("bert.encoder.layer.0.attention.self.query.bias")
                        .shape())
                .containsExactly(32);

        // the teacher reads the same file (skipping cls.*) and computes what the exported graph computes
        INDArray ids = BertFixtures.array("input_ids");
        INDArray mask = BertFixtures.array("attention_mask");
        INDArray types = BertFixtures.array("token_type_ids");
        ComputationGraph encoder = TextEncoderGraph.create(FIXTURE, TOKENS, 7, DataType.FLOAT);
        TextWeights.load(encoder, FIXTURE, file);
        INDArray last = encoder.output(
                        false, ids.castTo(DataType.FLOAT), types.castTo(DataType.FLOAT), mask.castTo(DataType.FLOAT))[
                FIXTURE.numLayers()];
        try (BertOutputs teacher = BertEncoder.load(FIXTURE, file).forward(ids, mask, types)) {
            INDArray expected = teacher.lastHiddenState().reshape(last.shape());
            assertThat(last.sub(expected).amaxNumber().doubleValue()).isLessThan(1e-5);
        }
    }

    @Test
    void inheritedLayersAreTheChosenSourceLayersInOrder() {
        Map<String, INDArray> source = BertWeights.read(FIXTURE, BertFixtures.weights());
        BertConfig oneLayer = withLayers(1);
        ComputationGraph student = TextEncoderGraph.create(oneLayer, TOKENS, 1, DataType.FLOAT);
        TextWeights.load(student, FIXTURE, BertFixtures.weights(), new int[] {1});
        Map<String, INDArray> params = TextWeights.graphParams(student);
        assertThat(params).hasSize(5 + 16);
        params.forEach((name, value) ->
                assertThat(value).as(name).isEqualTo(source.get(name.replace("encoder.layer.0.", "encoder.layer.1."))));

        ComputationGraph swapped = TextEncoderGraph.create(FIXTURE, TOKENS, 1, DataType.FLOAT);
        TextWeights.load(swapped, FIXTURE, BertFixtures.weights(), new int[] {1, 0});
        Map<String, INDArray> swappedParams = TextWeights.graphParams(swapped);
        assertThat(swappedParams.get("encoder.layer.0.intermediate.dense.weight"))
                .isEqualTo(source.get("encoder.layer.1.intermediate.dense.weight"));
        assertThat(swappedParams.get("encoder.layer.1.attention.self.value.bias"))
                .isEqualTo(source.get("encoder.layer.0.attention.self.value.bias"));
        assertThat(swappedParams.get("embeddings.word_embeddings.weight"))
                .isEqualTo(source.get("embeddings.word_embeddings.weight"));
    }

    @Test
    void aLayerOutsideTheSourceOrAMismatchedGraphIsRefused() {
        ComputationGraph student = TextEncoderGraph.create(withLayers(1), TOKENS, 1, DataType.FLOAT);
        assertThatThrownBy(() -> TextWeights.load(student, FIXTURE, BertFixtures.weights(), new int[] {2}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("outside the source's 0..1");
        INDArray before = student.params().dup();
        assertThatThrownBy(() -> TextWeights.load(student, FIXTURE, BertFixtures.weights()))
                .isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("unexpected tensor 'encoder.layer.1.");
        assertThat(student.params())
                .as("a refused checkpoint leaves the graph as it was")
                .isEqualTo(before);
    }

    @Test
    void theMlmHeadTakesTheCheckpointBiasAndTheWordEmbeddingsAsDecoder() throws Exception {
        ComputationGraph mlm =
                TextEncoderGraph.createMaskedLm(FIXTURE, TOKENS, TextEncoderGraph.base(1, DataType.FLOAT));
        INDArray transform = TextWeights.graphParams(mlm)
                .get("cls.predictions.transform.dense.weight")
                .dup();
        TextWeights.load(mlm, FIXTURE, BertFixtures.weights());
        Map<String, INDArray> params = TextWeights.graphParams(mlm);
        Map<String, INDArray> source = BertWeights.read(FIXTURE, BertFixtures.weights());
        assertThat(params.get("cls.predictions.decoder.weight"))
                .isEqualTo(source.get("embeddings.word_embeddings.weight"));
        try (SafetensorsFile file = SafetensorsFile.open(BertFixtures.weights())) {
            assertThat(params.get("cls.predictions.bias")).isEqualTo(file.readArray("cls.predictions.bias"));
        }
        // the fixture has no transform: it keeps its initialisation
        assertThat(params.get("cls.predictions.transform.dense.weight")).isEqualTo(transform);
    }

    private static BertConfig withLayers(int layers) {
        return new BertConfig(
                FIXTURE.vocabSize(),
                FIXTURE.hiddenSize(),
                layers,
                FIXTURE.numHeads(),
                FIXTURE.intermediateSize(),
                FIXTURE.maxPositions(),
                FIXTURE.typeVocabSize(),
                FIXTURE.layerNormEps());
    }
}
