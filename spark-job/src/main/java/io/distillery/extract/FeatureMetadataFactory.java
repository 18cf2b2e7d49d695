package io.distillery.extract;

import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureMetadata;
import io.distillery.features.FeatureMetadataJson;
import io.distillery.model.ModelConfig;
import io.distillery.model.ModelConfigs;
import io.distillery.model.ModelFamily;
import io.distillery.provenance.BuildInfo;
import io.distillery.targets.TargetTokens;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Describes the dataset an extract job is about to write, checking the requested columns make sense. */
final class FeatureMetadataFactory {
    private FeatureMetadataFactory() {}

    static FeatureMetadata create(
            ExtractSettings s,
            ModelConfig teacher,
            String checkpointSha256,
            List<String> classNames,
            String sparkVersion,
            FeatureMetadata.Captions captions) {
        int k = s.target().effectiveTopK(teacher.depth());
        long tokens = s.target().tokens() == TargetTokens.PATCHES ? teacher.numPatches() : teacher.tokens();
        long dim = teacher.embedDim();
        String dtype = s.target().dtype().id();
        List<FeatureMetadata.TensorColumn> columns = new ArrayList<>();
        columns.add(new FeatureMetadata.TensorColumn(
                FeatureColumns.TARGET,
                dtype,
                List.of(tokens, dim),
                "C order",
                "data2vec contextualized target of the view"));
        if (s.store().pixels()) {
            long size = teacher.imgSize();
            columns.add(new FeatureMetadata.TensorColumn(
                    FeatureColumns.PIXELS,
                    "uint8",
                    List.of(size, size, 3L),
                    "HWC RGB",
                    "the view as the teacher saw it, before mean/std normalisation"));
        }
        for (int layer : s.store().layers()) {
            if (layer > teacher.depth()) {
                throw new IllegalArgumentException("distillery.extract.store.layers: block " + layer
                        + " exceeds the teacher's depth " + teacher.depth());
            }
            columns.add(new FeatureMetadata.TensorColumn(
                    FeatureColumns.layer(layer),
                    dtype,
                    List.of((long) teacher.tokens(), dim),
                    "C order",
                    "output of block " + layer + " (CLS first)"));
        }
        AttentionColumns.describe(s.store().attention(), teacher, dtype, columns);
        if (s.store().cls()) {
            columns.add(new FeatureMetadata.TensorColumn(
                    FeatureColumns.CLS, dtype, List.of(dim), "C order", "CLS token of the last block output"));
        }
        boolean beit = teacher.family() == ModelFamily.BEITV2;
        if ((s.store().pooled() || s.store().logits()) && !beit) {
            throw new IllegalArgumentException("distillery.extract.store.pooled/logits need a BEiT teacher (fc_norm)");
        }
        if (s.store().pooled()) {
            columns.add(new FeatureMetadata.TensorColumn(
                    FeatureColumns.POOLED,
                    dtype,
                    List.of(dim),
                    "C order",
                    "fc_norm(mean of the patch tokens of the last block)"));
        }
        FeatureMetadata.Logits logits = null;
        if (s.store().logits()) {
            if (teacher.numClasses() == 0) {
                throw new IllegalArgumentException("distillery.extract.store.logits: the teacher has num_classes = 0");
            }
            logits = LogitColumns.describe(s.store().logitsTopK(), teacher.numClasses(), dtype, columns);
        }
        var target = new FeatureMetadata.Target(
                s.target().tensor().name().toLowerCase(Locale.ROOT),
                s.target().tokens().name().toLowerCase(Locale.ROOT),
                k,
                s.target().eps(),
                dtype,
                List.of(tokens, dim),
                FeatureColumns.TARGET);
        var preprocessing = preprocessing(s, teacher.imgSize(), teacher.imageMean(), teacher.imageStd());
        var versions = new java.util.LinkedHashMap<>(BuildInfo.versions());
        versions.put("spark_runtime", sparkVersion);
        return new FeatureMetadata(
                FeatureMetadataJson.FORMAT,
                FeatureMetadataJson.CURRENT_VERSION,
                new FeatureMetadata.Teacher(
                        ModelConfigs.presets().containsKey(s.teacher().model())
                                ? s.teacher().model()
                                : null,
                        ModelConfigs.toJsonMap(teacher),
                        s.teacher().checkpoint(),
                        checkpointSha256),
                target,
                columns,
                logits,
                preprocessing,
                s.seed(),
                input(s, classNames),
                versions,
                Instant.now().toString(),
                FeatureMetadata.IMAGE,
                null,
                captions);
    }

    /** How the views were made, for a teacher taking {@code imgSize} squares normalised by mean and std. */
    static FeatureMetadata.Preprocessing preprocessing(ExtractSettings s, int imgSize, double[] mean, double[] std) {
        return new FeatureMetadata.Preprocessing(
                imgSize,
                boxed(mean),
                boxed(std),
                s.views().evalCropPct(),
                s.views().random(),
                List.of(s.views().scaleMin(), s.views().scaleMax()),
                List.of(s.views().ratioMin(), s.views().ratioMax()),
                s.views().hflip(),
                "bicubic",
                "view 0 = eval view; view v >= 1 = RandomResizedCrop + flip seeded by SHA-256(seed, key, v)");
    }

    static FeatureMetadata.Input input(ExtractSettings s, List<String> classNames) {
        return new FeatureMetadata.Input(
                s.input().format().name().toLowerCase(Locale.ROOT), s.input().path(), classNames);
    }

    private static List<Double> boxed(double[] values) {
        return Arrays.stream(values).boxed().toList();
    }
}
