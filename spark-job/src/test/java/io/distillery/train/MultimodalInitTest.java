package io.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.checkpoint.DType;
import io.distillery.checkpoint.SafetensorsWriter;
import io.distillery.model.EncoderLoader;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelFamily;
import io.distillery.model.bert.BertConfig;
import io.distillery.model.text.TextEncoderGraph;
import io.distillery.model.text.TextWeights;
import io.distillery.npy.ParityFiles;
import io.distillery.student.ImageTextStudentConfig;
import io.distillery.student.ImageTextStudentGraph;
import io.distillery.targets.TargetRecipe;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TargetTokens;
import io.distillery.targets.TextTargetRecipe;
import io.distillery.testing.TinyBert;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@code student.multimodal.init}: the image path takes the chosen blocks of a data2vec2 checkpoint, the text path the
 * chosen layers of a BERT, each with its input layers; a shared block with two sources and a layer list without its
 * checkpoint are refused naming the setting.
 */
class MultimodalInitTest {
    private static final Path IMAGE = ParityFiles.file("student_d2v2/weights.safetensors");
    /** The seed's image teacher: timm's BEiT v2 (tiny, relative position bias, layer scale) of the parity fixtures. */
    private static final Path BEIT = ParityFiles.file("teacher_beitv2/weights.safetensors");

    private static TrainSettings settings(String... init) {
        List<String> o = new ArrayList<>(List.of("student.multimodal.enabled=true"));
        for (String i : init) {
            o.add("student.multimodal.init." + i);
        }
        return TrainFixtures.settings(TrainFixtures.overrides(Path.of("ds"), Path.of("run"), o.toArray(String[]::new)));
    }

    /** {@code shared} shared blocks + 1 per modality, width {@code width} (the tiny BERT: 32, FFN 64). */
    private static ImageTextStudentConfig config(int width, int heads, double mlpRatio, int shared, int vocab) {
        return config(ModelFamily.DATA2VEC2, width, heads, mlpRatio, shared, vocab);
    }

    private static ImageTextStudentConfig config(
            ModelFamily family, int width, int heads, double mlpRatio, int shared, int vocab) {
        boolean beit = family == ModelFamily.BEITV2;
        ModelConfig image = new ModelConfig(
                family,
                32,
                8,
                3,
                width,
                shared,
                heads,
                mlpRatio,
                true,
                1e-6,
                beit ? 0.1 : 0.0,
                beit,
                false,
                new double[] {0.5, 0.5, 0.5},
                new double[] {0.25, 0.25, 0.25},
                0);
        return new ImageTextStudentConfig(image, vocab, 8, 2, 8, 1, 16, 1, 1, 1);
    }

    private static ComputationGraph graph(ImageTextStudentConfig c) {
        ComputationGraph net = new ComputationGraph(ImageTextStudentGraph.configuration(
                c,
                new TargetRecipe(TargetTensor.BLOCK, TargetTokens.PATCHES, 1, 1e-5),
                8,
                new TextTargetRecipe(TargetTensor.BLOCK, 1, 1e-5, true),
                8,
                TextEncoderGraph.base(1, DataType.FLOAT),
                DataType.FLOAT));
        net.init();
        return net;
    }

    @Test
    void theImagePathTakesTheChosenBlocksAndTheEmbedding() {
        ImageTextStudentConfig c = config(64, 4, 4.0, 2, 50);
        ComputationGraph net = graph(c);
        MultimodalInit.apply(
                settings("image-checkpoint=\"" + IMAGE + "\"", "image-blocks=[2, 0, 1]"), c, net, new Configuration());
        Map<String, INDArray> source = EncoderLoader.readTensors(IMAGE);
        assertThat(net.getLayer(ImageTextStudentGraph.IMAGE_EMBED).getParam("projW"))
                .isEqualTo(source.get("patch_embed.proj.weight"));
        assertThat(net.getLayer("blocks.0.mlp").getParam("fc1W")).isEqualTo(source.get("blocks.2.mlp.fc1.weight"));
        assertThat(net.getLayer("blocks.1.mlp").getParam("fc1W")).isEqualTo(source.get("blocks.0.mlp.fc1.weight"));
        assertThat(net.getLayer("image.blocks.0.mlp").getParam("fc1W"))
                .isEqualTo(source.get("blocks.1.mlp.fc1.weight"));
    }

    @Test
    void aBeitStyleStudentTakesTheBeitTeachersBlocksAndComputesWhatTimmComputes(@TempDir Path dir) throws Exception {
        ImageTextStudentConfig c = config(ModelFamily.BEITV2, 64, 4, 4.0, 2, 50);
        ComputationGraph net = graph(c);
        MultimodalInit.apply(
                settings("image-checkpoint=\"" + BEIT + "\"", "image-blocks=[0, 1, 2]"), c, net, new Configuration());
        Map<String, INDArray> source = EncoderLoader.readTensors(BEIT);
        assertThat(net.getLayer("blocks.1.attn").getParam("relTable"))
                .isEqualTo(source.get("blocks.1.attn.relative_position_bias_table"));
        assertThat(net.getLayer("image.blocks.0.attn").getParam("gamma1")).isEqualTo(source.get("blocks.2.gamma_1"));
        // the image path's layers against timm's block outputs on the fixture images (a blank caption beside them)
        INDArray images = ParityFiles.array("input");
        int n = (int) images.size(0);
        INDArray mask = Nd4j.zeros(DataType.FLOAT, n, 8);
        mask.getColumn(0).assign(1);
        Map<String, INDArray> acts = net.feedForward(
                new INDArray[] {images, Nd4j.zeros(DataType.FLOAT, n, 8), Nd4j.zeros(DataType.FLOAT, n, 8), mask},
                false);
        long width = (long) c.imageTokens() * c.width();
        for (int k = 0; k < 3; k++) {
            INDArray layer = k < c.sharedBlocks()
                    ? acts.get("blocks." + k).get(NDArrayIndex.all(), NDArrayIndex.interval(0, width))
                    : acts.get(ImageTextStudentGraph.imageLayer(c, k));
            INDArray expected =
                    ParityFiles.array("teacher_beitv2/block_out_0" + (k + 1)).reshape(n, width);
            assertThat(layer.sub(expected).amaxNumber().doubleValue())
                    .as("image layer %d vs timm block %d", k, k)
                    .isLessThan(5e-5);
        }
        // a finetuned teacher's checkpoint (with its classifier head) gives the same layers; the head is not copied
        Path finetuned = dir.resolve("finetuned.safetensors");
        SafetensorsWriter writer = new SafetensorsWriter();
        source.forEach((name, tensor) -> writer.addArray(name, tensor, DType.F32));
        writer.addArray("head.weight", Nd4j.rand(DataType.FLOAT, 10, 64), DType.F32);
        writer.addArray("head.bias", Nd4j.zeros(DataType.FLOAT, 10), DType.F32);
        writer.write(finetuned);
        ComputationGraph again = graph(c);
        MultimodalInit.apply(
                settings("image-checkpoint=\"" + finetuned + "\"", "image-blocks=[0, 1, 2]"),
                c,
                again,
                new Configuration());
        assertThat(again.params()).isEqualTo(net.params());
        // a data2vec2-style student cannot take BEiT's blocks: the loader names what is missing
        ImageTextStudentConfig postNorm = config(64, 4, 4.0, 2, 50);
        assertThatThrownBy(() -> MultimodalInit.apply(
                        settings("image-checkpoint=\"" + BEIT + "\"", "image-blocks=[0]"),
                        postNorm,
                        graph(postNorm),
                        new Configuration()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("student.multimodal.init.image-checkpoint: the student's image model is"
                        + " data2vec2-style, so the checkpoint must be a data2vec2 encoder of its width")
                .hasMessageContaining("missing tensor 'norm_pre.weight'");
    }

    @Test
    void theTextPathTakesTheChosenBertLayersAndEmbeddings() {
        ImageTextStudentConfig c = config(32, 4, 2.0, 1, 120);
        ComputationGraph net = graph(c);
        Path bert = TinyBert.file("weights.safetensors");
        MultimodalInit.apply(
                settings("text-checkpoint=\"" + bert + "\"", "text-layers=[1, 0]"), c, net, new Configuration());
        // the same layers loaded into a plain BERT graph of the student's length
        BertConfig source = BertConfig.fromJson(TinyBert.file("config.json"));
        ComputationGraph plain = TextEncoderGraph.create(
                new BertConfig(
                        source.vocabSize(),
                        source.hiddenSize(),
                        2,
                        source.numHeads(),
                        source.intermediateSize(),
                        source.maxPositions(),
                        source.typeVocabSize(),
                        source.layerNormEps()),
                8,
                0,
                DataType.FLOAT);
        TextWeights.load(plain, source, bert, new int[] {1, 0});
        assertThat(net.getLayer(ImageTextStudentGraph.TEXT_EMBED).getParam("wordW"))
                .isEqualTo(plain.getLayer("embed").getParam("wordW"));
        assertThat(net.getLayer("blocks.0.attn").params())
                .isEqualTo(plain.getLayer("blocks.0.attn").params());
        assertThat(net.getLayer("text.blocks.0.mlp").params())
                .isEqualTo(plain.getLayer("blocks.1.mlp").params());
    }

    @Test
    void bothSourcesTogetherWhenOneSideTakesItsEmbeddingsOnly() {
        ImageTextStudentConfig c = config(64, 4, 4.0, 2, 50);
        ComputationGraph net = graph(c);
        INDArray wordsBefore =
                net.getLayer(ImageTextStudentGraph.TEXT_EMBED).getParam("wordW").dup();
        INDArray shared = net.getLayer("blocks.0.mlp").params().dup();
        MultimodalInit.apply(
                settings("image-checkpoint=\"" + IMAGE + "\"", "image-blocks=[]"), c, net, new Configuration());
        Map<String, INDArray> source = EncoderLoader.readTensors(IMAGE);
        assertThat(net.getLayer(ImageTextStudentGraph.IMAGE_EMBED).getParam("projW"))
                .isEqualTo(source.get("patch_embed.proj.weight"));
        assertThat(net.getLayer("blocks.0.mlp").params()).isEqualTo(shared);
        assertThat(net.getLayer(ImageTextStudentGraph.TEXT_EMBED).getParam("wordW"))
                .isEqualTo(wordsBefore);
    }

    @Test
    void aSharedBlockWithTwoSourcesOrALayerListWithoutItsCheckpointIsRefused() {
        ImageTextStudentConfig c = config(32, 4, 2.0, 1, 120);
        assertThatThrownBy(() -> MultimodalInit.apply(
                        settings(
                                "image-checkpoint=\"" + IMAGE + "\"",
                                "image-blocks=[0]",
                                "text-checkpoint=\"" + TinyBert.file("weights.safetensors") + "\"",
                                "text-layers=[0]"),
                        c,
                        graph(c),
                        new Configuration()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("both initialise shared block 0");
        assertThatThrownBy(() -> MultimodalInit.apply(settings("text-layers=[0]"), c, graph(c), new Configuration()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("student.multimodal.init.text-layers is set but its checkpoint is not");
    }
}
