package io.distillery.student;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.model.ModelConfig;
import io.distillery.model.ModelFamily;
import io.distillery.targets.TargetRecipe;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TargetTokens;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * Finite-difference check, in double, of the whole distillation loss: encoder, merged block tensors, instance norm,
 * block average, projection, parameter-free layer norm and the weighted L2 loss.
 */
class StudentGradientCheckTest {

    /** One case covering every path (CLS dropped, unused last-block input, projection): each check costs ~45 s. */
    @Test
    void distillationLossGradientsMatchFiniteDifferences() {
        TargetTensor tensor = TargetTensor.FFN;
        TargetTokens tokens = TargetTokens.PATCHES;
        int targetDim = 12;
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            ModelConfig tiny = new ModelConfig(
                    ModelFamily.DATA2VEC2,
                    8,
                    4,
                    3,
                    8,
                    2,
                    2,
                    2.0,
                    true,
                    1e-6,
                    0.0,
                    false,
                    false,
                    new double[] {0.5, 0.5, 0.5},
                    new double[] {0.25, 0.25, 0.25},
                    0);
            ComputationGraph net = new ComputationGraph(StudentGraph.configuration(
                    tiny,
                    new TargetRecipe(tensor, tokens, 2, 1e-5),
                    targetDim,
                    new NeuralNetConfiguration.Builder()
                            .seed(11)
                            .dataType(DataType.DOUBLE)
                            .updater(new NoOp()),
                    DataType.DOUBLE));
            net.init();
            Nd4j.getRandom().setSeed(3);
            net.params().addi(Nd4j.randn(DataType.DOUBLE, net.params().shape()).muli(0.2));
            INDArray images = Nd4j.randn(DataType.DOUBLE, 2, 3, 8, 8);
            long outTokens = tokens == TargetTokens.PATCHES ? 4 : 5;
            INDArray labels = Nd4j.randn(DataType.DOUBLE, 2, outTokens * targetDim);
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
