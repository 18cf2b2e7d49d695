package io.distillery.extract;

import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureMetadata;
import io.distillery.features.TensorDType;
import io.distillery.shards.RawSample;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.io.api.Binary;

/**
 * The caption side of an image extract: tokenizes each sample's caption, runs the caption teacher (a BERT, or an
 * open_clip teacher's text tower) on the captions of a batch's view-0 views (a caption is per sample, so its other
 * views carry none) and appends the {@code caption_*} cells to those rows.
 */
final class CaptionColumns {
    private final CaptionEncoder encoder;
    private final FeatureMetadata.Captions captions;
    private final TensorDType dtype;

    private CaptionColumns(CaptionEncoder encoder, FeatureMetadata.Captions captions, TensorDType dtype) {
        this.encoder = encoder;
        this.captions = captions;
        this.dtype = dtype;
    }

    /** The caption columns of {@code metadata}'s dataset, or null when it has none. */
    static CaptionColumns of(ExtractSettings settings, FeatureMetadata metadata, Configuration conf) {
        if (metadata.captions() == null) {
            return null;
        }
        CaptionEncoder encoder = settings.teacher().kind() == TeacherKind.OPEN_CLIP
                ? new ClipCaptionEncoder(ClipTeacher.get(settings, conf))
                : new BertCaptionEncoder(settings, metadata.captions(), conf);
        return new CaptionColumns(
                encoder, metadata.captions(), settings.target().dtype());
    }

    CaptionInput encode(RawSample sample) {
        return encoder.encode(sample.caption());
    }

    /** The teacher's outputs for the captions of {@code views} (those with one, in order); null when none has. */
    Batch run(List<PendingView> views) {
        List<CaptionInput> inputs = new ArrayList<>();
        for (PendingView v : views) {
            if (v.caption() != null) {
                inputs.add(v.caption());
            }
        }
        return inputs.isEmpty() ? null : new Batch(encoder.run(inputs), inputs.size());
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

    /**
     * A caption teacher: its tokenization, and its tensors for a batch of captions under the text row names
     * ({@code input_ids}, {@code target}, ...) that the caption columns prefix with {@code caption_}.
     */
    interface CaptionEncoder {
        CaptionInput encode(String caption);

        BatchTensors run(List<CaptionInput> captions);
    }
}
