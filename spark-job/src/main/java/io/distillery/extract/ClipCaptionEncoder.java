package io.distillery.extract;

import io.distillery.features.FeatureColumns;
import io.distillery.model.clip.ClipModel;
import java.util.List;

/**
 * An open_clip teacher's text side: CLIP BPE ids padded to the context length ({@code input_ids}, int32) and the
 * caption's L2-normalised text embedding ({@code embedding} [E]).
 */
final class ClipCaptionEncoder implements CaptionColumns.CaptionEncoder {
    private final ClipTeacher teacher;

    ClipCaptionEncoder(ClipTeacher teacher) {
        this.teacher = teacher;
    }

    @Override
    public CaptionInput encode(String caption) {
        return CaptionInput.ofClip(teacher.tokenizer().tokenize(caption, teacher.contextLength()));
    }

    @Override
    public BatchTensors run(List<CaptionInput> captions) {
        int n = captions.size();
        int tokens = teacher.contextLength();
        int[][] ids = new int[n][];
        int[] flat = new int[n * tokens];
        for (int i = 0; i < n; i++) {
            ids[i] = captions.get(i).clipIds();
            System.arraycopy(ids[i], 0, flat, i * tokens, tokens);
        }
        BatchTensors tensors = new BatchTensors();
        tensors.ints().put(FeatureColumns.INPUT_IDS, flat);
        tensors.floats()
                .put(
                        FeatureColumns.EMBEDDING,
                        ClipModel.normalize(teacher.model().encodeTexts(ids))
                                .dup('c')
                                .data()
                                .asFloat());
        return tensors;
    }
}
