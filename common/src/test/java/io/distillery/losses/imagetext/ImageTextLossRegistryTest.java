package io.distillery.losses.imagetext;

import static io.distillery.losses.imagetext.ImageTextGradientCheckTest.gaussian;
import static io.distillery.losses.imagetext.ImageTextGradientCheckTest.unitRows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class ImageTextLossRegistryTest {

    private final Random rnd = new Random(5);

    @Test
    void knowsTheSevenLossesByName() {
        assertThat(ImageTextLossRegistry.types()).containsExactly("clip", "fd", "mfd", "icl", "crd", "gd", "afd");
        for (String type : ImageTextLossRegistry.types()) {
            assertThat(ImageTextLossRegistry.create(type, ConfigFactory.empty()).type())
                    .isEqualTo(type);
        }
    }

    @Test
    void crdTemperatureDefaultsToTheReferencesOneAndCanBeSet() {
        assertThat(ImageTextLossRegistry.defaults("crd").root().unwrapped()).isEqualTo(Map.of("temperature", 1.0));
        ImageTextInputs inputs = inputs(4, 3, 5);

        double fromConfig = ImageTextLossRegistry.create("crd", ConfigFactory.parseString("temperature = 2"))
                .compute(inputs)
                .value();

        assertThat(fromConfig)
                .isEqualTo(new ContrastiveRelationalLoss(2).compute(inputs).value())
                .isNotEqualTo(new ContrastiveRelationalLoss(1).compute(inputs).value());
    }

    @Test
    void unknownTypeOrParameterIsNamedWithTheKnownOnes() {
        assertThatThrownBy(() -> ImageTextLossRegistry.create("ckd", ConfigFactory.empty()))
                .hasMessage("unknown image-text loss 'ckd' (known: clip, fd, mfd, icl, crd, gd, afd)");
        assertThatThrownBy(() -> ImageTextLossRegistry.create("crd", ConfigFactory.parseString("temprature = 2")))
                .hasMessage("image-text loss 'crd': unknown parameter temprature (known: temperature)");
        assertThatThrownBy(() -> ImageTextLossRegistry.create("fd", ConfigFactory.parseString("weight = 2, t = 1")))
                .hasMessage("image-text loss 'fd': unknown parameters t, weight (known: none)");
        assertThatThrownBy(() -> ImageTextLossRegistry.create("crd", ConfigFactory.parseString("temperature = hot")))
                .hasMessage("crd.temperature must be a number, got 'hot'");
        assertThatThrownBy(() -> ImageTextLossRegistry.create("crd", ConfigFactory.parseString("temperature = 0")))
                .hasMessage("crd: temperature must be > 0, got 0.0");
    }

    @Test
    void mfdIsFdUnderItsOwnName() {
        ImageTextInputs inputs = inputs(4, 6, 6);

        ImageTextLossValue fd =
                ImageTextLossRegistry.create("fd", ConfigFactory.empty()).compute(inputs);
        ImageTextLossValue mfd =
                ImageTextLossRegistry.create("mfd", ConfigFactory.empty()).compute(inputs);

        assertThat(mfd.value()).isEqualTo(fd.value()).isPositive();
        assertThat(mfd.studentImageGradient()).isEqualTo(fd.studentImageGradient());
        assertThat(mfd.studentTextGradient()).isEqualTo(fd.studentTextGradient());
    }

    @Test
    void lossesDeclareTheReferencesParametersWithTorchsInitialisation() {
        assertThat(new ClipContrastiveLoss().parameters(8, 16)).isEmpty();
        assertThat(new ContrastiveRelationalLoss(1).parameters(8, 16)).isEmpty();

        List<LearnableParameter> icl = new InteractiveContrastiveLoss().parameters(8, 8);
        assertThat(icl).hasSize(1);
        assertThat(icl.get(0).name()).isEqualTo("cross_logit_scale");
        assertThat(icl.get(0).shape()).isEmpty();
        assertThat(icl.get(0).init()).isEqualTo(new LearnableParameter.Constant(Math.log(1 / 0.07)));

        List<LearnableParameter> afd = new AugmentedFeatureDistillationLoss().parameters(8, 16);
        assertThat(afd)
                .extracting(LearnableParameter::name)
                .containsExactly(
                        "visual_fusion_proj.weight",
                        "visual_fusion_proj.bias",
                        "text_fusion_proj.weight",
                        "text_fusion_proj.bias",
                        "fusion_logit_scale");
        assertThat(afd.get(0).shape()).containsExactly(8, 24);
        assertThat(afd.get(1).shape()).containsExactly(8);
        assertThat(afd.get(0).init()).isEqualTo(new LearnableParameter.Uniform(1 / Math.sqrt(24)));
        assertThat(afd.get(1).init()).isEqualTo(new LearnableParameter.Uniform(1 / Math.sqrt(24)));
    }

    @Test
    void initialParametersAreSeededAndWithinTorchsBounds() {
        AugmentedFeatureDistillationLoss afd = new AugmentedFeatureDistillationLoss();

        Map<String, INDArray> first = afd.initialParameters(8, 16, 42, DataType.FLOAT);
        Map<String, INDArray> again = afd.initialParameters(8, 16, 42, DataType.FLOAT);
        Map<String, INDArray> other = afd.initialParameters(8, 16, 43, DataType.FLOAT);

        assertThat(first).isEqualTo(again);
        assertThat(first.get("visual_fusion_proj.weight")).isNotEqualTo(other.get("visual_fusion_proj.weight"));
        assertThat(first.get("visual_fusion_proj.weight")).isNotEqualTo(first.get("text_fusion_proj.weight"));
        INDArray weight = first.get("visual_fusion_proj.weight");
        assertThat(weight.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(weight.shape()).containsExactly(8, 24);
        double bound = 1 / Math.sqrt(24);
        assertThat(weight.amaxNumber().doubleValue()).isLessThanOrEqualTo(bound).isGreaterThan(0.8 * bound);
        // 192 uniform draws: the mean is near 0, not a one-sided range
        assertThat(weight.meanNumber().doubleValue()).isCloseTo(0, within(0.2 * bound));
        assertThat(first.get("fusion_logit_scale").rank()).isZero();
        assertThat(first.get("fusion_logit_scale").getDouble(0)).isCloseTo(Math.log(1 / 0.07), within(1e-6));
    }

    @Test
    void initialParametersFeedTheLossDirectly() {
        ImageTextInputs inputs = inputs(5, 3, 7);
        AugmentedFeatureDistillationLoss afd = new AugmentedFeatureDistillationLoss();

        ImageTextLossValue value = afd.compute(inputs.withParameters(afd.initialParameters(3, 7, 1, DataType.FLOAT)));

        assertThat(value.parameterGradients().get("visual_fusion_proj.weight").dataType())
                .isEqualTo(DataType.FLOAT);
        assertThat(value.parameterGradients().get("text_fusion_proj.bias").shape())
                .containsExactly(3);
        assertThat(value.studentImageGradient().dataType()).isEqualTo(DataType.DOUBLE);
    }

    @Test
    void gradientsKeepEachInputsType() {
        ImageTextInputs doubles = inputs(3, 4, 4);
        ImageTextInputs mixed = new ImageTextInputs(
                doubles.studentImage().castTo(DataType.FLOAT),
                doubles.studentText(),
                doubles.teacherImage().castTo(DataType.FLOAT),
                doubles.teacherText(),
                doubles.teacherScale(),
                doubles.studentLogScale(),
                Map.of("cross_logit_scale", org.nd4j.linalg.factory.Nd4j.scalar(DataType.FLOAT, 2.0f)));

        ImageTextLossValue value = new InteractiveContrastiveLoss().compute(mixed);

        assertThat(value.studentImageGradient().dataType()).isEqualTo(DataType.FLOAT);
        assertThat(value.studentTextGradient().dataType()).isEqualTo(DataType.DOUBLE);
        assertThat(value.parameterGradients().get("cross_logit_scale").dataType())
                .isEqualTo(DataType.FLOAT);
    }

    private ImageTextInputs inputs(int n, int studentWidth, int teacherWidth) {
        return ImageTextInputs.ofStudent(
                        gaussian(rnd, 1, n, studentWidth), gaussian(rnd, 1, n, studentWidth), Math.log(1 / 0.07))
                .withTeacher(
                        unitRows(gaussian(rnd, 1, n, teacherWidth)), unitRows(gaussian(rnd, 1, n, teacherWidth)), 100);
    }
}
