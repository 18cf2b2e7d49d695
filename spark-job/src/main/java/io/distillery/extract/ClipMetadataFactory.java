package io.distillery.extract;

import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureMetadata;
import io.distillery.features.FeatureMetadataJson;
import io.distillery.features.TensorPacking;
import io.distillery.model.clip.ClipConfig;
import io.distillery.provenance.BuildInfo;
import io.distillery.text.ClipTokenizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Describes the dataset of an open_clip teacher (CLIP-KD's cache): per view {@code image_embedding} [E] (and
 * optionally the pixels), per sample {@code caption_input_ids} [context length] and {@code caption_embedding} [E],
 * both embeddings L2-normalised. The teacher's {@code logit_scale} (exp'd) is recorded with its sizes, because the
 * relational losses (CRD, GD) need the teacher's logits.
 */
final class ClipMetadataFactory {
    /** What the target columns are, in place of a data2vec recipe. */
    static final String IMAGE_TENSOR = "clip_image_embedding";

    static final String TEXT_TENSOR = "clip_text_embedding";
    /** The tokens both embeddings summarise. */
    static final String POOLED = "pooled";

    private ClipMetadataFactory() {}

    static FeatureMetadata create(
            ExtractSettings s,
            ClipTeacher clip,
            String checkpointSha256,
            String tokenizerSha256,
            List<String> classNames,
            String sparkVersion) {
        ClipConfig config = clip.config();
        long embed = config.embedDim();
        String dtype = s.target().dtype().id();
        List<FeatureMetadata.TensorColumn> columns = new ArrayList<>();
        columns.add(new FeatureMetadata.TensorColumn(
                FeatureColumns.IMAGE_EMBEDDING,
                dtype,
                List.of(embed),
                "C order",
                "the view's CLIP image embedding, L2-normalised (open_clip encode_image(normalize=True))"));
        int size = config.vision().imageSize();
        if (s.store().pixels()) {
            columns.add(new FeatureMetadata.TensorColumn(
                    FeatureColumns.PIXELS,
                    "uint8",
                    List.of((long) size, (long) size, 3L),
                    "HWC RGB",
                    "the view as the teacher saw it, before mean/std normalisation"));
        }
        var teacher =
                new FeatureMetadata.Teacher(null, modelMap(clip), s.teacher().checkpoint(), checkpointSha256);
        int context = clip.contextLength();
        var captions = new FeatureMetadata.Captions(
                teacher,
                new FeatureMetadata.Target(
                        TEXT_TENSOR,
                        POOLED,
                        0,
                        0,
                        dtype,
                        List.of(embed),
                        FeatureColumns.caption(FeatureColumns.EMBEDDING)),
                new FeatureMetadata.Text(
                        s.text().tokenizer() == null
                                ? ClipTokenizer.BUNDLED_NAME
                                : s.text().tokenizer(),
                        tokenizerSha256,
                        null,
                        context,
                        false,
                        "CLIP BPE ids, <start_of_text> text <end_of_text>, zero-padded; pooled at the end-of-text token"),
                List.of(
                        new FeatureMetadata.TensorColumn(
                                FeatureColumns.caption(FeatureColumns.INPUT_IDS),
                                TensorPacking.INT32,
                                List.of((long) context),
                                "C order",
                                "CLIP BPE token ids, zero padding"),
                        new FeatureMetadata.TensorColumn(
                                FeatureColumns.caption(FeatureColumns.EMBEDDING),
                                dtype,
                                List.of(embed),
                                "C order",
                                "the caption's CLIP text embedding, L2-normalised")));
        var versions = new LinkedHashMap<>(BuildInfo.versions());
        versions.put("spark_runtime", sparkVersion);
        return new FeatureMetadata(
                FeatureMetadataJson.FORMAT,
                FeatureMetadataJson.CURRENT_VERSION,
                teacher,
                new FeatureMetadata.Target(
                        IMAGE_TENSOR, POOLED, 0, 0, dtype, List.of(embed), FeatureColumns.IMAGE_EMBEDDING),
                columns,
                null,
                FeatureMetadataFactory.preprocessing(s, size, ClipTeacher.MEAN, ClipTeacher.STD),
                s.seed(),
                FeatureMetadataFactory.input(s, classNames),
                versions,
                Instant.now().toString(),
                FeatureMetadata.IMAGE,
                null,
                captions);
    }

    /** open_clip's config keys, plus the trained logit scale (exp'd). */
    private static Map<String, Object> modelMap(ClipTeacher clip) {
        ClipConfig c = clip.config();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_type", "open_clip");
        m.put("embed_dim", c.embedDim());
        m.put("quick_gelu", c.quickGelu());
        m.put(
                "vision_cfg",
                Map.of(
                        "image_size", c.vision().imageSize(),
                        "patch_size", c.vision().patchSize(),
                        "width", c.vision().width(),
                        "layers", c.vision().layers(),
                        "head_width", c.vision().headWidth()));
        m.put(
                "text_cfg",
                Map.of(
                        "context_length", c.text().contextLength(),
                        "vocab_size", c.text().vocabSize(),
                        "width", c.text().width(),
                        "heads", c.text().heads(),
                        "layers", c.text().layers()));
        m.put("logit_scale", clip.model().logitScale());
        return m;
    }
}
