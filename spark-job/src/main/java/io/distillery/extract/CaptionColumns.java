package io.distillery.extract;

import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureMetadata;
import io.distillery.features.TensorDType;
import io.distillery.shards.RawSample;
import io.distillery.targets.TextTargetRecipe;
import io.distillery.text.Encoding;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.io.api.Binary;

/**
 * The caption teacher's part of an image extract: tokenizes each sample's caption, runs the text teacher on the
 * captions of a batch's view-0 views (a caption is per sample, so its other views carry none) and appends the
 * {@code caption_*} cells to those rows.
 */
final class CaptionColumns {
    private final TextTeacher teacher;
    private final TextTeacherRunner runner;
    private final FeatureMetadata.Captions captions;
    private final int maxLength;
    private final TensorDType dtype;

    private CaptionColumns(ExtractSettings settings, FeatureMetadata.Captions captions, Configuration conf) {
        this.teacher = TextTeacher.captions(settings, conf);
        this.captions = captions;
        this.maxLength = settings.text().maxLength();
        this.dtype = settings.target().dtype();
        TextTargetRecipe recipe = new TextTargetRecipe(
                settings.captionTeacher().tensor(),
                captions.target().topK(),
                captions.target().eps(),
                settings.text().layerNormTargets());
        this.runner = new TextTeacherRunner(
                teacher, recipe, new ExtractSettings.Store(false, List.of(), false, false, false, 0, List.of()));
    }

    /** The caption columns of {@code metadata}'s dataset, or null when it has none. */
    static CaptionColumns of(ExtractSettings settings, FeatureMetadata metadata, Configuration conf) {
        return metadata.captions() == null ? null : new CaptionColumns(settings, metadata.captions(), conf);
    }

    Encoding encode(RawSample sample) {
        return teacher.tokenizer().encode(sample.caption(), maxLength);
    }

    /** The teacher's outputs for the captions of {@code views} (those with one, in order); null when none has. */
    Batch run(List<PendingView> views) {
        List<Encoding> encodings = new ArrayList<>();
        for (PendingView v : views) {
            if (v.caption() != null) {
                encodings.add(v.caption());
            }
        }
        return encodings.isEmpty() ? null : new Batch(runner.run(encodings), encodings.size());
    }

    /** Appends the {@code index}-th caption of {@code batch} to {@code row} (a view-0 row). */
    void append(Group row, Batch batch, int index, String shardId, String key) {
        for (FeatureMetadata.TensorColumn column : captions.tensorColumns()) {
            String tensor = column.name().substring(FeatureColumns.CAPTION_PREFIX.length());
            byte[] cell = TextCells.cell(
                    column, batch.tensors(), tensor, index, batch.count(), shardId, "key '" + key + "' caption", dtype);
            row.append(column.name(), Binary.fromConstantByteArray(cell));
        }
    }

    /** One batch's caption tensors, {@code count} captions. */
    record Batch(BatchTensors tensors, int count) {}
}
