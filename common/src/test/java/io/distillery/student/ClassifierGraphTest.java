package io.distillery.student;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.checkpoint.DType;
import io.distillery.model.Encoder;
import io.distillery.model.EncoderExport;
import io.distillery.model.EncoderLoader;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelConfigs;
import io.distillery.model.ModelFamily;
import io.distillery.npy.ParityFiles;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.ops.transforms.Transforms;

/** The finetuning graph: timm's pooled output on the fixture, export round trip with a head, gradient check. */
class ClassifierGraphTest {
    private static final Optimization OPT = new Optimization(1e-3, 1e-5, 2, 20, 0.05, 0.9, 0.999, 1.0, 7);

    @Test
    void pooledOutputMatchesTimmAndTheExportedHeadGivesTheSameProbabilities(@TempDir Path dir) throws Exception {
        ModelConfig config = ModelConfigs.fromJson(ParityFiles.file("teacher_beitv2/config.json"));
        Encoder teacher = EncoderLoader.load(config, ParityFiles.file("teacher_beitv2/weights.safetensors"));
        ComputationGraph net = ClassifierGraph.create(config, 5, OPT, DataType.FLOAT);
        StudentWeights.copyEncoder(teacher.graph(), net);
        net.getLayer(ClassifierGraph.POOL)
                .getParam("normW")
                .assign(teacher.head().normWeight());
        net.getLayer(ClassifierGraph.POOL)
                .getParam("normB")
                .assign(teacher.head().normBias());
        INDArray input = ParityFiles.array("input");
        Map<String, INDArray> acts = net.feedForward(new INDArray[] {input}, false, false);
        INDArray expected = ParityFiles.array("teacher_beitv2/pooled");
        assertThat(acts.get(ClassifierGraph.POOL).sub(expected).amaxNumber().doubleValue())
                .isLessThan(5e-5);

        Encoder exported = ClassifierGraph.toEncoder(net, config);
        Path file = dir.resolve("finetuned.safetensors");
        EncoderExport.write(exported, file, DType.F32, Map.of());
        Encoder reloaded = EncoderLoader.load(config.withNumClasses(5), file);
        INDArray last = reloaded.forward(input).blockOutputs().get(config.depth() - 1);
        INDArray logits = reloaded.head().logits(reloaded.head().pooled(last));
        INDArray probabilities = Transforms.softmax(logits, true);
        assertThat(probabilities.sub(net.outputSingle(input)).amaxNumber().doubleValue())
                .isLessThan(1e-5);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            ModelConfig tiny = new ModelConfig(
                    ModelFamily.BEITV2,
                    8,
                    4,
                    3,
                    8,
                    1,
                    2,
                    2.0,
                    true,
                    1e-6,
                    0.5,
                    false,
                    false,
                    new double[] {0.5, 0.5, 0.5},
                    new double[] {0.25, 0.25, 0.25},
                    0);
            ComputationGraph net = new ComputationGraph(ClassifierGraph.configuration(
                    tiny,
                    3,
                    new NeuralNetConfiguration.Builder()
                            .seed(5)
                            .dataType(DataType.DOUBLE)
                            .updater(new NoOp())));
            net.init();
            Nd4j.getRandom().setSeed(3);
            net.params().addi(Nd4j.randn(DataType.DOUBLE, net.params().shape()).muli(0.2));
            INDArray images = Nd4j.randn(DataType.DOUBLE, 2, 3, 8, 8);
            INDArray labels = Nd4j.create(new double[][] {{0, 1, 0}, {0, 0, 1}});
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                    .net(net)
                    .inputs(new INDArray[] {images})
                    .labels(new INDArray[] {labels})
                    .epsilon(1e-6)
                    .maxRelError(1e-3)
                    .minAbsoluteError(1e-8)
                    .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                    .exitOnFirstError(false));
            assertThat(ok).isTrue();
        } finally {
            Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        }
    }
}
