package io.distillery.student;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.distillery.model.Encoder;
import io.distillery.model.EncoderLoader;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelConfigs;
import io.distillery.model.ModelFamily;
import io.distillery.npy.ParityFiles;
import io.distillery.targets.TargetRecipe;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TargetTokens;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The distillation graph against fairseq's targets, the d2v loss by hand, and its serialisation. */
class StudentGraphTest {
    private static final Optimization OPT = new Optimization(1e-3, 1e-5, 2, 20, 0.05, 0.9, 0.95, 1.0, 7);

    private static ModelConfig parityStudent() {
        return ModelConfigs.fromJson(ParityFiles.file("student_d2v2/config.json"));
    }

    @Test
    void headOnFixtureWeightsReproducesFairseqTargets() {
        ModelConfig config = parityStudent();
        Encoder fixture = EncoderLoader.load(config, ParityFiles.file("student_d2v2/weights.safetensors"));
        for (int k : new int[] {3, 2}) {
            for (TargetTensor tensor : TargetTensor.values()) {
                TargetRecipe recipe = new TargetRecipe(tensor, TargetTokens.PATCHES, k, 1e-5);
                ComputationGraph net = StudentGraph.create(config, recipe, config.embedDim(), OPT, DataType.FLOAT);
                StudentWeights.copyEncoder(fixture.graph(), net);
                Map<String, INDArray> acts = net.feedForward(new INDArray[] {ParityFiles.array("input")}, false, false);
                INDArray head = acts.get(StudentGraph.HEAD);
                INDArray expected = ParityFiles.array(
                        "student_d2v2/target_d2v_" + tensor.name().toLowerCase() + "_" + (k == 3 ? "topall" : "top2"));
                assertThat(head.reshape(expected.shape())
                                .sub(expected)
                                .amaxNumber()
                                .doubleValue())
                        .as("%s top-%d", tensor, k)
                        .isLessThan(2e-4);
            }
        }
    }

    @Test
    void lossIsData2vecMsePerTokenScaledByInverseSqrtDim() {
        ModelConfig config = parityStudent();
        TargetRecipe recipe = new TargetRecipe(TargetTensor.FFN, TargetTokens.PATCHES, 3, 1e-5);
        ComputationGraph net = StudentGraph.create(config, recipe, config.embedDim(), OPT, DataType.FLOAT);
        INDArray input = ParityFiles.array("input");
        INDArray prediction =
                net.feedForward(new INDArray[] {input}, false, false).get(StudentGraph.HEAD);
        Nd4j.getRandom().setSeed(1);
        INDArray target = Nd4j.randn(DataType.FLOAT, prediction.shape());
        net.setInputs(input);
        net.setLabels(target);
        net.computeGradientAndScore();
        long batch = prediction.size(0);
        int tokens = config.numPatches();
        double expected = Transforms.pow(prediction.sub(target), 2).sumNumber().doubleValue()
                / Math.sqrt(config.embedDim())
                / tokens
                / batch;
        assertThat(net.score()).isCloseTo(expected, within(1e-4 * expected));
    }

    @Test
    void projectionMapsToTheTeacherWidthAndIsExported() {
        ModelConfig config = parityStudent();
        TargetRecipe recipe = new TargetRecipe(TargetTensor.FFN, TargetTokens.ALL, 2, 1e-5);
        ComputationGraph net = StudentGraph.create(config, recipe, 96, OPT, DataType.FLOAT);
        INDArray out = net.outputSingle(ParityFiles.array("input"));
        assertThat(out.shape()).containsExactly(6, 17L * 96);
        INDArray tokens = out.reshape(6, 17, 96);
        assertThat(tokens.mean(2).amaxNumber().doubleValue())
                .as("layer-normed per token")
                .isLessThan(1e-4);
        Map<String, INDArray> proj = StudentWeights.projection(net);
        assertThat(proj.keySet()).containsExactly("distill_proj.weight", "distill_proj.bias");
        assertThat(proj.get("distill_proj.weight").shape()).containsExactly(96, 64);
        assertThat(StudentWeights.projection(StudentGraph.create(config, recipe, 64, OPT, DataType.FLOAT)))
                .isEmpty();
    }

    @Test
    void configurationSurvivesJsonRoundTrip() {
        ModelConfig config = parityStudent();
        TargetRecipe recipe = new TargetRecipe(TargetTensor.BLOCK, TargetTokens.PATCHES, 2, 1e-5);
        ComputationGraphConfiguration conf = StudentGraph.configuration(config, recipe, 80, OPT, DataType.FLOAT);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertThat(back).isEqualTo(conf);
        ComputationGraph a = new ComputationGraph(conf);
        a.init();
        ComputationGraph b = new ComputationGraph(back);
        b.init(a.params().dup(), true);
        INDArray input = ParityFiles.array("input");
        assertThat(b.outputSingle(input)).isEqualTo(a.outputSingle(input));
    }

    @Test
    void studentTooShallowForTopKOrBeitFfnIsRefused() {
        ModelConfig config = parityStudent();
        assertThatThrownBy(() -> StudentGraph.create(
                        config,
                        new TargetRecipe(TargetTensor.FFN, TargetTokens.PATCHES, 4, 1e-5),
                        64,
                        OPT,
                        DataType.FLOAT))
                .hasMessageContaining("top-k 4 exceeds the student's depth 3");
        ModelConfig beit = ModelConfigs.fromJson(ParityFiles.file("teacher_beitv2/config.json"));
        assertThat(beit.family()).isEqualTo(ModelFamily.BEITV2);
        assertThatThrownBy(() -> StudentGraph.create(
                        beit,
                        new TargetRecipe(TargetTensor.FFN, TargetTokens.PATCHES, 2, 1e-5),
                        64,
                        OPT,
                        DataType.FLOAT))
                .hasMessageContaining("ffn targets need a data2vec2 student");
    }

    @Test
    void trainingStepsReduceTheLossOnAFixedBatch() {
        ModelConfig config = parityStudent();
        TargetRecipe recipe = new TargetRecipe(TargetTensor.FFN, TargetTokens.PATCHES, 3, 1e-5);
        ComputationGraph net = StudentGraph.create(
                config, recipe, 64, new Optimization(2e-3, 1e-4, 2, 30, 0.05, 0.9, 0.95, 1.0, 7), DataType.FLOAT);
        INDArray input = ParityFiles.array("input");
        INDArray target =
                ParityFiles.array("student_d2v2/target_d2v_ffn_topall").reshape(6, 16L * 64);
        net.setInputs(input);
        net.setLabels(target);
        net.computeGradientAndScore();
        double first = net.score();
        for (int i = 0; i < 30; i++) {
            net.fit(new INDArray[] {input}, new INDArray[] {target});
        }
        net.computeGradientAndScore();
        assertThat(net.score()).isLessThan(0.5 * first);
        assertThat(net.getConfiguration().getIterationCount()).isEqualTo(30);
    }
}
