package io.distillery.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.config.JobConfigLoader;
import io.distillery.evaluate.EvaluateSettings;
import io.distillery.evaluate.ImageTextEvaluateSettings;
import io.distillery.extract.ExtractSettings;
import io.distillery.model.ModelConfig;
import io.distillery.student.ImageTextKdTerm;
import io.distillery.student.StudentMasking;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The configs of the results' proof runs (conf/fashion-mnist-kd, conf/fashion-mnist-mask, conf/fm-captions) read through their jobs' settings:
 * every key known, every value valid, the CLIP-KD objectives among them, so a documented command cannot fail on its
 * config.
 */
class ProofConfigsTest {
    private static final Path ROOT = Path.of(System.getProperty("distillery.root", ".."))
            .toAbsolutePath()
            .normalize();

    private static com.typesafe.config.Config load(String file, String section, String... overrides) {
        return JobConfigLoader.load(ROOT.resolve(file), List.of(overrides), section);
    }

    @Test
    void theKdExperimentsConfigsLoad() {
        assertThat(ExtractSettings.from(load("conf/fashion-mnist-kd/extract.conf", ExtractSettings.SECTION))
                        .store()
                        .logits())
                .isTrue();
        TrainSettings distill = TrainSettings.from(
                load("conf/fashion-mnist-kd/student-distill.conf", "distillery.train"), "distillery.train");
        assertThat(distill.studentModel()).endsWith("fmnist-kd-student-3x96.json");
        FinetuneSettings.from(load("conf/fashion-mnist-kd/student-scratch.conf", FinetuneSettings.SECTION));
        assertThat(FinetuneSettings.from(load("conf/fashion-mnist-kd/teacher-finetune.conf", FinetuneSettings.SECTION))
                        .labelSmoothing())
                .isEqualTo(0.1);
        EvaluateSettings.from(load("conf/fashion-mnist-kd/evaluate.conf", EvaluateSettings.SECTION));
        EvaluateSettings.from(load("conf/fashion-mnist-kd/evaluate-seeds.conf", EvaluateSettings.SECTION));
    }

    @Test
    void theMaskedStudentExperimentsConfigsLoadAndTheMaskedArmPassesTheMaskCheck() {
        var conf = new org.apache.hadoop.conf.Configuration();
        TrainSettings unmasked = trainWithModel("conf/fashion-mnist-mask/student.conf");
        assertThat(StudentMaskSettings.from(unmasked.source(), unmasked.section()))
                .isNull();
        TrainSettings masked = TrainSettings.from(
                load(
                        "conf/fashion-mnist-mask/student.conf",
                        "distillery.train",
                        "student.mask.enabled=true",
                        "student.model=\"" + ROOT.resolve(unmasked.studentModel()) + "\""),
                "distillery.train");
        StudentMasking masking = StudentMaskSettings.from(masked.source(), masked.section());
        assertThat(masking).isNotNull();
        ModelConfig student = StudentFactory.config(masked, conf);
        assertThat(student.embedDim()).isEqualTo(192);
        StudentMaskSettings.check(masking, student, masked, LossSettings.from(masked.source(), masked.section()));
        EvaluateSettings.from(load("conf/fashion-mnist-mask/evaluate.conf", EvaluateSettings.SECTION));
    }

    /** A train config, its student.model (relative to the repository, where the launcher runs) made absolute. */
    private static TrainSettings trainWithModel(String file) {
        String model = load(file, "distillery.train").getString("student.model");
        return TrainSettings.from(
                load(file, "distillery.train", "student.model=\"" + ROOT.resolve(model) + "\""), "distillery.train");
    }

    @Test
    void theCc3mImageTextTrainTemplatesLoadWithTheirStudents() {
        var conf = new org.apache.hadoop.conf.Configuration();
        TrainSettings multimodal = trainWithModel("conf/train-cc3m-multimodal.conf");
        assertThat(ImageTextTrainJob.requested(multimodal)).isTrue();
        assertThat(StudentFactory.config(multimodal, conf).embedDim()).isEqualTo(384);
        TrainSettings clipKd = trainWithModel("conf/train-cc3m-clip-kd.conf");
        assertThat(StudentFactory.config(clipKd, conf).imgSize()).isEqualTo(224);
        assertThat(ClipKdTrainJob.terms(clipKd.source().getConfig(ImageTextTrainJob.SECTION), "losses", ""))
                .extracting(ImageTextKdTerm::type)
                .containsExactly("clip", "fd", "icl", "crd");
    }

    @Test
    void theImageTextProofsConfigsLoadWithTheirClipKdObjectives() {
        ExtractSettings.from(load("conf/fm-captions/extract.conf", ExtractSettings.SECTION));
        ExtractSettings.from(load("conf/fm-captions/extract-clip.conf", ExtractSettings.SECTION));
        TrainSettings.from(load("conf/fm-captions/student-distill.conf", "distillery.train"), "distillery.train");
        TrainSettings beit = TrainSettings.from(
                load("conf/fm-captions/student-beit-inherit.conf", "distillery.train"), "distillery.train");
        assertThat(beit.source().getIntList("student.multimodal.init.image-blocks"))
                .containsExactly(0, 1, 2);
        for (String objective : new String[] {
            "[{type=clip}]",
            "[{type=clip}, {type=fd, weight=2000}]",
            "[{type=clip}, {type=icl}]",
            "[{type=clip}, {type=fd, weight=2000}, {type=icl}, {type=crd}]",
            "[{type=clip}, {type=mfd, weight=2000, mask-ratio=0.75}]"
        }) {
            TrainSettings s = TrainSettings.from(
                    load(
                            "conf/fm-captions/student-clip-kd.conf",
                            "distillery.train",
                            "student.multimodal.losses=" + objective),
                    "distillery.train");
            List<ImageTextKdTerm> terms =
                    ClipKdTrainJob.terms(s.source().getConfig(ImageTextTrainJob.SECTION), "losses", objective);
            assertThat(terms.get(0).type()).isEqualTo("clip");
        }
        for (String file : new String[] {
            "conf/fm-captions/evaluate.conf",
            "conf/fm-captions/evaluate-clip-teacher.conf",
            "conf/fm-captions/evaluate-clip-kd.conf"
        }) {
            ImageTextEvaluateSettings.from(load(file, EvaluateSettings.SECTION));
        }
    }
}
