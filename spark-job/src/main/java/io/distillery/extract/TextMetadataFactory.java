package io.distillery.extract;

import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureMetadata;
import io.distillery.features.FeatureMetadataJson;
import io.distillery.features.TensorPacking;
import io.distillery.model.bert.BertConfig;
import io.distillery.provenance.BuildInfo;
import io.distillery.targets.TargetTensor;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Describes the text dataset an extract job is about to write, checking the settings fit the BERT teacher. */
final class TextMetadataFactory {
    /** How {@link io.distillery.targets.TextTargets} differs from fairseq, recorded with every text dataset. */
    static final String STATISTICS = "instance norm over the real tokens only (attention_mask 1); padded positions 0";

    private TextMetadataFactory() {}

    static FeatureMetadata create(
            ExtractSettings s,
            BertConfig teacher,
            String checkpointSha256,
            String tokenizerSha256,
            String sparkVersion) {
        ExtractSettings.Store store = s.store();
        if (store.pooled() || store.logits()) {
            throw new IllegalArgumentException("distillery.extract.store.pooled and logits are image-only; text extract"
                    + " stores input_ids, attention_mask, target, and optionally cls, layers and attention");
        }
        int maxLength = s.text().maxLength();
        if (maxLength > teacher.maxPositions()) {
            throw new IllegalArgumentException("distillery.extract.text.max-length " + maxLength + " exceeds the "
                    + "teacher's " + teacher.maxPositions() + " positions (max_position_embeddings)");
        }
        int k = s.target().effectiveTopK(teacher.numLayers());
        long tokens = maxLength;
        long dim = teacher.hiddenSize();
        String dtype = s.target().dtype().id();
        List<FeatureMetadata.TensorColumn> columns = new ArrayList<>(tokenColumns(name -> name, tokens, dim, dtype));
        for (int layer : store.layers()) {
            if (layer > teacher.numLayers()) {
                throw new IllegalArgumentException("distillery.extract.store.layers: layer " + layer
                        + " exceeds the teacher's " + teacher.numLayers() + " layers");
            }
            columns.add(new FeatureMetadata.TensorColumn(
                    FeatureColumns.layer(layer),
                    dtype,
                    List.of(tokens, dim),
                    "C order",
                    "output of layer " + layer + " ([CLS] first; padded positions as the encoder computed them)"));
        }
        for (int layer : store.attention()) {
            if (layer > teacher.numLayers()) {
                throw new IllegalArgumentException("distillery.extract.store.attention: layer " + layer
                        + " exceeds the teacher's " + teacher.numLayers() + " layers");
            }
            columns.add(new FeatureMetadata.TensorColumn(
                    FeatureColumns.attention(layer),
                    dtype,
                    List.of((long) teacher.numHeads(), tokens, tokens),
                    "C order",
                    "attention probabilities of layer " + layer + ": softmax(q k^T / sqrt(head_dim), padded keys"
                            + " masked) per head, query rows, key columns ([CLS] first); a padded key's probability"
                            + " is exactly 0, a padded query's row is what the encoder computed"));
        }
        if (store.cls()) {
            columns.add(new FeatureMetadata.TensorColumn(
                    FeatureColumns.CLS, dtype, List.of(dim), "C order", "[CLS] token of the last layer output"));
        }
        var versions = new LinkedHashMap<>(BuildInfo.versions());
        versions.put("spark_runtime", sparkVersion);
        return new FeatureMetadata(
                FeatureMetadataJson.FORMAT,
                FeatureMetadataJson.CURRENT_VERSION,
                teacher(s.teacher().model(), s.teacher().checkpoint(), teacher, checkpointSha256),
                target(s.target().tensor(), k, s, List.of(tokens, dim), FeatureColumns.TARGET),
                columns,
                null,
                null,
                s.seed(),
                new FeatureMetadata.Input(s.input().format().id(), s.input().path(), List.of()),
                versions,
                Instant.now().toString(),
                FeatureMetadata.TEXT,
                text(s, tokenizerSha256),
                null);
    }

    /**
     * The caption part of an image dataset whose extract also runs a text teacher: token ids, attention mask and
     * target of each sample's caption, under {@link FeatureColumns#caption} names.
     */
    static FeatureMetadata.Captions captions(
            ExtractSettings s, BertConfig teacher, String checkpointSha256, String tokenizerSha256) {
        ExtractSettings.CaptionTeacher captions = s.captionTeacher();
        int maxLength = s.text().maxLength();
        if (maxLength > teacher.maxPositions()) {
            throw new IllegalArgumentException("distillery.extract.text.max-length " + maxLength + " exceeds the "
                    + "caption teacher's " + teacher.maxPositions() + " positions (max_position_embeddings)");
        }
        int k = captions.topK() == ExtractSettings.Target.ALL_BLOCKS ? teacher.numLayers() : captions.topK();
        if (k > teacher.numLayers()) {
            throw new IllegalArgumentException("distillery.extract.caption-teacher.top-k " + k
                    + " exceeds the caption teacher's " + teacher.numLayers() + " layers");
        }
        List<Long> shape = List.of((long) maxLength, (long) teacher.hiddenSize());
        return new FeatureMetadata.Captions(
                teacher(captions.model(), captions.checkpoint(), teacher, checkpointSha256),
                target(captions.tensor(), k, s, shape, FeatureColumns.caption(FeatureColumns.TARGET)),
                text(s, tokenizerSha256),
                tokenColumns(
                        FeatureColumns::caption,
                        maxLength,
                        teacher.hiddenSize(),
                        s.target().dtype().id()));
    }

    /** Target, input_ids and attention_mask, named by {@code names} (text rows: as they are; captions: prefixed). */
    private static List<FeatureMetadata.TensorColumn> tokenColumns(
            java.util.function.UnaryOperator<String> names, long tokens, long dim, String dtype) {
        return List.of(
                new FeatureMetadata.TensorColumn(
                        names.apply(FeatureColumns.TARGET),
                        dtype,
                        List.of(tokens, dim),
                        "C order",
                        "data2vec contextualized target per token; 0 where attention_mask is 0"),
                new FeatureMetadata.TensorColumn(
                        names.apply(FeatureColumns.INPUT_IDS),
                        TensorPacking.INT32,
                        List.of(tokens),
                        "C order",
                        "token ids, [CLS] first"),
                new FeatureMetadata.TensorColumn(
                        names.apply(FeatureColumns.ATTENTION_MASK),
                        "uint8",
                        List.of(tokens),
                        "C order",
                        "1 real token, 0 padding"));
    }

    private static FeatureMetadata.Teacher teacher(
            String model, String checkpoint, BertConfig config, String checkpointSha256) {
        return new FeatureMetadata.Teacher(
                BertConfig.presets().containsKey(model) ? model : null, modelMap(config), checkpoint, checkpointSha256);
    }

    private static FeatureMetadata.Target target(
            TargetTensor tensor, int k, ExtractSettings s, List<Long> shape, String column) {
        return new FeatureMetadata.Target(
                tensor.name().toLowerCase(Locale.ROOT),
                "all",
                k,
                s.target().eps(),
                s.target().dtype().id(),
                shape,
                column);
    }

    private static FeatureMetadata.Text text(ExtractSettings s, String tokenizerSha256) {
        return new FeatureMetadata.Text(
                s.text().tokenizer(),
                tokenizerSha256,
                s.text().tokenizerJson() ? null : s.text().lowercase(),
                s.text().maxLength(),
                s.text().layerNormTargets(),
                STATISTICS);
    }

    /** The teacher's sizes in Hugging Face config.json keys. */
    private static Map<String, Object> modelMap(BertConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_type", "bert");
        m.put("vocab_size", c.vocabSize());
        m.put("hidden_size", c.hiddenSize());
        m.put("num_hidden_layers", c.numLayers());
        m.put("num_attention_heads", c.numHeads());
        m.put("intermediate_size", c.intermediateSize());
        m.put("max_position_embeddings", c.maxPositions());
        m.put("type_vocab_size", c.typeVocabSize());
        m.put("layer_norm_eps", c.layerNormEps());
        return m;
    }
}
