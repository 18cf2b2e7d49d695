package io.distillery.extract;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.config.JobConfigLoader;
import io.distillery.eval.PromptTemplates;
import io.distillery.evaluate.EvaluateSettings;
import io.distillery.evaluate.ImageTextEvaluateSettings;
import io.distillery.targets.TargetTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The image-text templates in conf/ read through the job settings (every key known, every value valid). */
class ImageTextTemplatesTest {
    private static final Path ROOT = Path.of(System.getProperty("distillery.root", ".."))
            .toAbsolutePath()
            .normalize();

    private static ExtractSettings extract(String file) {
        return ExtractSettings.from(JobConfigLoader.load(ROOT.resolve(file), List.of(), ExtractSettings.SECTION));
    }

    @Test
    void theMultimodalCc3mExtractRunsABertOnTheCaptions() {
        ExtractSettings s = extract("conf/extract-cc3m-multimodal.conf");
        assertThat(s.teacher().kind()).isEqualTo(TeacherKind.TIMM);
        assertThat(s.captionTeacher().model()).isEqualTo("bert-base-uncased");
        assertThat(s.captionTeacher().tensor()).isEqualTo(TargetTensor.BLOCK);
        assertThat(s.target().tensor()).isEqualTo(TargetTensor.BLOCK);
        assertThat(s.text().tokenizer()).endsWith("bert-base-uncased/vocab.txt");
        assertThat(s.text().maxLength()).isEqualTo(64);
        assertThat(s.views().random()).isEqualTo(1);
    }

    @Test
    void theClipKdCc3mExtractHasAnOpenClipTeacherAndTheBundledTokenizer() {
        ExtractSettings s = extract("conf/extract-cc3m-clip.conf");
        assertThat(s.teacher().kind()).isEqualTo(TeacherKind.OPEN_CLIP);
        assertThat(s.teacher().model()).endsWith("ViT-B-16.json");
        assertThat(s.captionTeacher()).isNull();
        assertThat(s.text().tokenizer()).isNull();
        assertThat(s.store().pixels()).isTrue();
    }

    @Test
    void theZeroShotImagenetEvaluationHasOpenClipsPromptsAndClassNames() throws Exception {
        ImageTextEvaluateSettings s = ImageTextEvaluateSettings.from(JobConfigLoader.load(
                ROOT.resolve("conf/evaluate-imagenet-zero-shot.conf"), List.of(), EvaluateSettings.SECTION));
        assertThat(s.retrieval()).isFalse();
        assertThat(s.models())
                .singleElement()
                .satisfies(m -> assertThat(m.model()).endsWith("ViT-B-16.json"));
        List<String> templates = Files.readAllLines(ROOT.resolve(s.templates()));
        assertThat(PromptTemplates.of(templates).size()).isEqualTo(80);
        assertThat(Files.readAllLines(ROOT.resolve(s.classNames())))
                .hasSize(1000)
                .startsWith("tench", "goldfish")
                .endsWith("toilet paper");
    }
}
