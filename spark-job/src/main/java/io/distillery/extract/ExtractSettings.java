package io.distillery.extract;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.distillery.config.SectionReader;
import io.distillery.dataset.DecodeSettings;
import io.distillery.dataset.ViewSettings;
import io.distillery.features.TensorDType;
import io.distillery.image.DecodeLimits;
import io.distillery.model.ModelConfigs;
import io.distillery.shards.InputOptions;
import io.distillery.shards.ShardFormat;
import io.distillery.spark.QualifiedPaths;
import io.distillery.spark.SparkMasters;
import io.distillery.targets.TargetRecipe;
import io.distillery.targets.TargetTensor;
import io.distillery.targets.TargetTokens;
import java.io.Serializable;
import java.util.List;

/**
 * The validated settings of an extract job (see reference.conf for meanings and defaults), one record per group of
 * keys. Small and serialisable: this is all a task carries; the teacher itself is loaded on each executor. Every
 * value is checked here, on the driver: inside a task a bad one would fail every shard with a trace.
 *
 * @param input      where the samples are
 * @param outputPath the feature dataset's folder
 * @param decode     images beyond these are rejected from their header
 * @param captionTeacher image input: a text teacher also run on each sample's caption; null for none
 */
public record ExtractSettings(
        InputOptions input,
        String outputPath,
        Teacher teacher,
        Target target,
        Store store,
        Text text,
        CaptionTeacher captionTeacher,
        ViewSettings views,
        DecodeLimits decode,
        long seed,
        int batchSize,
        double maxRejectFraction,
        long progressIntervalMillis,
        String sparkMaster,
        String appName)
        implements Serializable {
    public static final String SECTION = "distillery.extract";

    /**
     * @param model      a preset or a config.json path
     * @param checkpoint timm-format safetensors every executor can read
     * @param copies     teacher copies run at once per executor ({@code EncoderPool.ONE_PER_THREAD}: one per task)
     * @param kind       timm encoder or open_clip CLIP (then {@code model} is an open_clip model config JSON)
     */
    public record Teacher(String model, String checkpoint, int copies, TeacherKind kind) implements Serializable {
        public Teacher {
            if (kind == TeacherKind.OPEN_CLIP && ModelConfigs.presets().containsKey(model)) {
                throw new IllegalArgumentException(SECTION + ".teacher.model must be an open_clip model config JSON"
                        + " (e.g. ViT-B-32.json) for teacher.kind = open-clip, got the timm preset '" + model + "'");
            }
            if (copies < 0) {
                throw new IllegalArgumentException(
                        SECTION + ".teacher.copies must be >= 0 (0 = one per running task), " + "got " + copies);
            }
        }
    }

    /**
     * The data2vec target recipe and the dtype of every stored tensor column.
     *
     * @param topK blocks averaged, or {@link #ALL_BLOCKS}
     */
    public record Target(TargetTensor tensor, TargetTokens tokens, int topK, double eps, TensorDType dtype)
            implements Serializable {
        /** topK value meaning "every block of the teacher". */
        public static final int ALL_BLOCKS = 0;

        public Target {
            if (topK < 0) {
                throw new IllegalArgumentException(SECTION + ".target.top-k must be 'all' or >= 1, got " + topK);
            }
            if (!(eps > 0 && Double.isFinite(eps))) {
                throw new IllegalArgumentException(SECTION + ".target.eps must be a finite number > 0, got " + eps);
            }
        }

        /** The number of blocks averaged, for a teacher of {@code depth} blocks. */
        public int effectiveTopK(int depth) {
            int k = topK == ALL_BLOCKS ? depth : topK;
            if (k > depth) {
                throw new IllegalArgumentException(
                        SECTION + ".target.top-k " + k + " exceeds the teacher's depth " + depth);
            }
            return k;
        }

        /** The recipe for a teacher of {@code depth} blocks. */
        public TargetRecipe recipe(int depth) {
            return new TargetRecipe(tensor, tokens, effectiveTopK(depth), eps);
        }
    }

    /**
     * Optional extra columns.
     *
     * @param layers      1-based blocks whose raw output is stored
     * @param logitsTopK  logits kept per view when {@code logits}: {@link #ALL_LOGITS} or K (checked against the
     *                    teacher's classes once it is known, in {@code FeatureMetadataFactory})
     * @param attention   1-based blocks whose attention probabilities are stored
     */
    public record Store(
            boolean pixels,
            List<Integer> layers,
            boolean cls,
            boolean pooled,
            boolean logits,
            int logitsTopK,
            List<Integer> attention)
            implements Serializable {
        /** logitsTopK value meaning "every class, in the {@code logits} column". */
        public static final int ALL_LOGITS = 0;

        public Store {
            layers = List.copyOf(layers);
            attention = List.copyOf(attention);
            for (int layer : layers) {
                if (layer < 1) {
                    throw new IllegalArgumentException(
                            SECTION + ".store.layers are 1-based block numbers, got " + layer);
                }
            }
            for (int block : attention) {
                if (block < 1) {
                    throw new IllegalArgumentException(
                            SECTION + ".store.attention holds 1-based block numbers, got " + block);
                }
            }
            if (attention.stream().distinct().count() != attention.size()) {
                throw new IllegalArgumentException(SECTION + ".store.attention names a block twice: " + attention);
            }
            if (logitsTopK != ALL_LOGITS && !logits) {
                throw new IllegalArgumentException(
                        SECTION + ".store.logits-top-k = " + logitsTopK + " needs " + SECTION + ".store.logits = true");
            }
        }

        /** The attention blocks 0-based, as the encoder counts them. */
        public java.util.Set<Integer> attentionBlocks() {
            return attention.stream().map(b -> b - 1).collect(java.util.stream.Collectors.toUnmodifiableSet());
        }
    }

    /**
     * Text input ({@code input.modality = text}): how texts become token ids, and the text-only part of the target
     * recipe.
     *
     * @param tokenizer        {@code vocab.txt} or Hugging Face {@code tokenizer.json} (by its {@code .json} name);
     *                         null for image input
     * @param lowercase        {@code vocab.txt} only: lowercase and strip accents (BERT uncased)
     * @param maxLength        tokens per row, [CLS] and [SEP] included: longer texts are truncated, shorter padded
     * @param layerNormTargets layer-normalise each token's averaged target (fairseq's {@code layer_norm_targets})
     */
    public record Text(String tokenizer, boolean lowercase, int maxLength, boolean layerNormTargets)
            implements Serializable {
        public Text {
            if (maxLength < 2) {
                throw new IllegalArgumentException(
                        SECTION + ".text.max-length must be >= 2 ([CLS] and [SEP]), got " + maxLength);
            }
        }

        /** Whether the tokenizer file is a Hugging Face tokenizer.json rather than a vocab.txt. */
        public boolean tokenizerJson() {
            return tokenizer.toLowerCase(java.util.Locale.ROOT).endsWith(".json");
        }
    }

    /**
     * A BERT text teacher run, in an image extract, on each sample's caption (multimodal distillation: one dataset
     * with the image teacher's targets per view and the text teacher's per sample). Captions are tokenized with the
     * {@code text} settings; the target's eps and dtype are the image target's.
     *
     * @param model      {@code bert-base-uncased} or a BERT config.json
     * @param checkpoint its Hugging Face safetensors, readable by every executor
     * @param tensor     the text target recipe's per-layer tensor
     * @param topK       layers averaged, or {@link Target#ALL_BLOCKS}
     */
    public record CaptionTeacher(String model, String checkpoint, TargetTensor tensor, int topK)
            implements Serializable {
        public CaptionTeacher {
            if (topK < 0) {
                throw new IllegalArgumentException(
                        SECTION + ".caption-teacher.top-k must be 'all' or >= 1, got " + topK);
            }
        }
    }

    public ExtractSettings {
        if (input.modality() == io.distillery.shards.Modality.TEXT && text.tokenizer() == null) {
            throw new IllegalArgumentException(
                    SECTION + ".text.tokenizer must name a vocab.txt or tokenizer.json for input.modality = text");
        }
        if (captionTeacher != null && input.modality() != io.distillery.shards.Modality.IMAGE) {
            throw new IllegalArgumentException(SECTION + ".caption-teacher is for image input (captioned images);"
                    + " with input.modality = text the teacher is the text teacher: leave caption-teacher.checkpoint"
                    + " unset");
        }
        if (teacher.kind() == TeacherKind.OPEN_CLIP) {
            if (input.modality() != io.distillery.shards.Modality.IMAGE) {
                throw new IllegalArgumentException(SECTION + ".teacher.kind = open-clip reads captioned images:"
                        + " input.modality must be image");
            }
            if (captionTeacher != null) {
                throw new IllegalArgumentException(SECTION + ".caption-teacher: an open_clip teacher embeds the"
                        + " captions with its own text tower; leave caption-teacher.checkpoint unset");
            }
            if (!store.layers().isEmpty()
                    || store.cls()
                    || store.pooled()
                    || store.logits()
                    || !store.attention().isEmpty()) {
                throw new IllegalArgumentException(SECTION + ".store: an open_clip teacher writes image_embedding"
                        + " (and pixels); store.layers, cls, pooled, logits and attention are for timm teachers");
            }
        }
        if (captionTeacher != null && text.tokenizer() == null) {
            throw new IllegalArgumentException(SECTION + ".text.tokenizer must name a vocab.txt or tokenizer.json for"
                    + " the caption teacher (caption-teacher.checkpoint is set)");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException(SECTION + ".batch-size must be >= 1, got " + batchSize);
        }
        if (!(maxRejectFraction >= 0 && maxRejectFraction <= 1)) {
            throw new IllegalArgumentException(
                    SECTION + ".max-reject-fraction must be within [0, 1], got " + maxRejectFraction);
        }
        if (progressIntervalMillis < 1) {
            throw new IllegalArgumentException(
                    SECTION + ".progress-interval must be > 0, got " + progressIntervalMillis + " ms");
        }
        SparkMasters.check(SECTION + ".spark.master", sparkMaster);
    }

    /** Reads the {@code distillery.extract} section; every error names the key. */
    public static ExtractSettings from(Config c) {
        SectionReader r = new SectionReader(c, SECTION);
        try {
            InputOptions input = new InputOptions(
                    ShardFormat.fromConfig(c.getString("input.format")),
                    r.required("input.path"),
                    c.getInt("input.files-per-shard"),
                    c.getInt("input.row-groups-per-split"),
                    c.getString("input.image-column"),
                    c.getString("input.key-column"),
                    c.getString("input.caption-column"),
                    r.optional("input.label-column"),
                    io.distillery.shards.Modality.fromConfig(c.getString("input.modality")),
                    c.getString("input.text-column"),
                    c.getBoolean("input.line-labels"));
            Text text = new Text(
                    r.optional("text.tokenizer"),
                    c.getBoolean("text.lowercase"),
                    c.getInt("text.max-length"),
                    c.getBoolean("text.layer-norm-targets"));
            String captionCheckpoint = r.optional("caption-teacher.checkpoint");
            CaptionTeacher captionTeacher = captionCheckpoint == null
                    ? null
                    : new CaptionTeacher(
                            c.getString("caption-teacher.model"),
                            captionCheckpoint,
                            r.enumOf(TargetTensor.class, "caption-teacher.tensor"),
                            r.countOrAll("caption-teacher.top-k"));
            Teacher teacher = new Teacher(
                    c.getString("teacher.model"),
                    r.required("teacher.checkpoint"),
                    c.getInt("teacher.copies"),
                    TeacherKind.fromConfig(c.getString("teacher.kind")));
            Target target = new Target(
                    r.enumOf(TargetTensor.class, "target.tensor"),
                    r.enumOf(TargetTokens.class, "target.tokens"),
                    r.countOrAll("target.top-k"),
                    c.getDouble("target.eps"),
                    TensorDType.fromId(c.getString("target.dtype")));
            Store store = new Store(
                    c.getBoolean("store.pixels"),
                    c.getIntList("store.layers"),
                    c.getBoolean("store.cls"),
                    c.getBoolean("store.pooled"),
                    c.getBoolean("store.logits"),
                    c.getInt("store.logits-top-k"),
                    c.getIntList("store.attention"));
            return new ExtractSettings(
                    input,
                    r.required("output.path"),
                    teacher,
                    target,
                    store,
                    text,
                    captionTeacher,
                    ViewSettings.from(r),
                    DecodeSettings.from(r),
                    c.getLong("seed"),
                    c.getInt("batch-size"),
                    c.getDouble("max-reject-fraction"),
                    c.getDuration("progress-interval").toMillis(),
                    c.getString("spark.master"),
                    c.getString("spark.app-name"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(SECTION + ": " + e.getMessage(), e);
        }
    }

    /**
     * The same settings with every path made absolute and qualified (scheme and authority) on the driver, so that
     * executors, whose working directory is not the driver's, read and write the same files: a relative
     * {@code output.path} would otherwise land in each executor's own folder. Relative paths resolve like Hadoop
     * resolves them on the driver: against the working directory of {@code fs.defaultFS}.
     */
    public ExtractSettings withQualifiedPaths(org.apache.hadoop.conf.Configuration conf) {
        boolean preset = ModelConfigs.presets().containsKey(teacher.model())
                || (input.modality() == io.distillery.shards.Modality.TEXT
                        && io.distillery.model.bert.BertConfig.presets().containsKey(teacher.model()));
        String model = preset ? teacher.model() : qualify("teacher.model", teacher.model(), conf);
        Teacher qualifiedTeacher = new Teacher(
                model, qualify("teacher.checkpoint", teacher.checkpoint(), conf), teacher.copies(), teacher.kind());
        return new ExtractSettings(
                input.withPath(qualify("input.path", input.path(), conf)),
                qualify("output.path", outputPath, conf),
                qualifiedTeacher,
                target,
                store,
                text.tokenizer() == null
                        ? text
                        : new Text(
                                qualify("text.tokenizer", text.tokenizer(), conf),
                                text.lowercase(),
                                text.maxLength(),
                                text.layerNormTargets()),
                captionTeacher == null
                        ? null
                        : new CaptionTeacher(
                                io.distillery.model.bert.BertConfig.presets().containsKey(captionTeacher.model())
                                        ? captionTeacher.model()
                                        : qualify("caption-teacher.model", captionTeacher.model(), conf),
                                qualify("caption-teacher.checkpoint", captionTeacher.checkpoint(), conf),
                                captionTeacher.tensor(),
                                captionTeacher.topK()),
                views,
                decode,
                seed,
                batchSize,
                maxRejectFraction,
                progressIntervalMillis,
                sparkMaster,
                appName);
    }

    private static String qualify(String key, String path, org.apache.hadoop.conf.Configuration conf) {
        return QualifiedPaths.of(SECTION + "." + key, path, conf);
    }
}
