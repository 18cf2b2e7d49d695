package io.distillery.extract;

import io.distillery.features.FeatureMetadata;
import io.distillery.targets.TextTargetRecipe;
import io.distillery.text.Encoding;
import java.util.List;
import org.apache.hadoop.conf.Configuration;

/** A BERT caption teacher: WordPiece to {@code text.max-length}, then data2vec targets as in a text extract. */
final class BertCaptionEncoder implements CaptionColumns.CaptionEncoder {
    private final TextTeacher teacher;
    private final TextTeacherRunner runner;
    private final int maxLength;

    BertCaptionEncoder(ExtractSettings settings, FeatureMetadata.Captions captions, Configuration conf) {
        this.teacher = TextTeacher.captions(settings, conf);
        this.maxLength = settings.text().maxLength();
        TextTargetRecipe recipe = new TextTargetRecipe(
                settings.captionTeacher().tensor(),
                captions.target().topK(),
                captions.target().eps(),
                settings.text().layerNormTargets());
        this.runner = new TextTeacherRunner(
                teacher, recipe, new ExtractSettings.Store(false, List.of(), false, false, false, 0, List.of()));
    }

    @Override
    public CaptionInput encode(String caption) {
        return CaptionInput.of(teacher.tokenizer().encode(caption, maxLength));
    }

    @Override
    public BatchTensors run(List<CaptionInput> captions) {
        List<Encoding> encodings =
                captions.stream().map(CaptionInput::wordPiece).toList();
        return runner.run(encodings);
    }
}
