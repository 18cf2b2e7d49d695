package io.distillery.train;

import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureMetadata;
import io.distillery.model.ModelConfig;
import io.distillery.model.bert.BertConfig;
import io.distillery.objective.LossGroup;
import io.distillery.objective.LossSpec;
import io.distillery.targets.TargetTokens;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Checks, before any training, that a feature dataset fits the student and the job: the tokens mode, the student's
 * token grid against the target shape, the image size, the pixel normalisation and the columns the configured losses
 * read. A mismatch is one error naming the dataset, the setting and both values.
 */
final class DatasetCompatibility {
    private static final double NORMALISATION_TOLERANCE = 1e-6;

    private DatasetCompatibility() {}

    /** The target's [tokens, width] once everything agrees (with d2v among the losses). */
    static long[] check(String dataset, FeatureMetadata md, ModelConfig student, TargetTokens tokens) {
        return check(dataset, md, student, tokens, true);
    }

    /**
     * The target's [tokens, width] once everything agrees; the target's tokens and shape are checked only when the
     * student regresses them ({@code d2v}).
     */
    static long[] check(String dataset, FeatureMetadata md, ModelConfig student, TargetTokens tokens, boolean d2v) {
        requireImages(dataset, md);
        if (d2v) {
            checkTarget(dataset, md, student, tokens);
        }
        checkInput(dataset, md, student);
        List<Long> shape = md.target().shape();
        return new long[] {shape.get(0), shape.get(1)};
    }

    /** A text dataset has no views nor pixels; the image students cannot read it (one line, not a null pointer). */
    static void requireImages(String dataset, FeatureMetadata md) {
        if (md.textModality()) {
            throw new IllegalArgumentException(dataset + ": a text feature dataset (extract with input.modality = "
                    + "text: input_ids, attention_mask, per-token targets); this job reads image feature datasets");
        }
    }

    private static void checkTarget(String dataset, FeatureMetadata md, ModelConfig student, TargetTokens tokens) {
        String expectedTokens = tokens.name().toLowerCase(Locale.ROOT);
        if (!md.target().tokens().equals(expectedTokens)) {
            throw mismatch(dataset, "target tokens", md.target().tokens(), "target.tokens", expectedTokens);
        }
        List<Long> shape = md.target().shape();
        long studentTokens = tokens == TargetTokens.PATCHES ? student.numPatches() : student.tokens();
        if (shape.size() != 2 || shape.get(0) != studentTokens) {
            throw mismatch(
                    dataset,
                    "target shape",
                    shape.toString(),
                    "student tokens (img " + student.imgSize() + " / patch " + student.patchSize() + ", "
                            + expectedTokens + ")",
                    String.valueOf(studentTokens));
        }
    }

    private static void checkInput(String dataset, FeatureMetadata md, ModelConfig student) {
        if (md.preprocessing().imgSize() != student.imgSize()) {
            throw mismatch(
                    dataset,
                    "image size",
                    String.valueOf(md.preprocessing().imgSize()),
                    "student img_size",
                    String.valueOf(student.imgSize()));
        }
        checkNormalisation(dataset, "mean", md.preprocessing().mean(), student.imageMean());
        checkNormalisation(dataset, "std", md.preprocessing().std(), student.imageStd());
        boolean hasPixels = md.tensorColumns().stream().anyMatch(c -> c.name().equals(FeatureColumns.PIXELS));
        if (!hasPixels) {
            throw new IllegalArgumentException(dataset + ": the feature dataset has no '" + FeatureColumns.PIXELS
                    + "' column, so the student has no input; rerun extract with store.pixels = true");
        }
    }

    /**
     * Every configured loss finds its teacher column: "distillery.train.losses[1] (kd) needs column 'logits', which
     * dataset X does not have: extract with store.logits = true".
     */
    static void checkLosses(String dataset, FeatureMetadata md, List<LossSpec> losses, ModelConfig student) {
        for (LossSpec spec : losses) {
            String column = spec.teacherColumn();
            requireColumn(dataset, md, spec);
            if (spec.group() == LossGroup.TOKENS) {
                checkTokens(dataset, md.column(column), spec, student);
            }
            if (spec.group() == LossGroup.ATTENTION) {
                checkAttention(dataset, md.column(column), spec, student);
            }
        }
    }

    /** The loss's teacher column is in the dataset (or stands in for it); else one line naming the extract setting. */
    private static void requireColumn(String dataset, FeatureMetadata md, LossSpec spec) {
        String column = spec.teacherColumn();
        boolean present = column == null
                || column.equals(FeatureColumns.TARGET)
                || md.tensorColumns().stream().anyMatch(c -> c.name().equals(column))
                // top-k columns stand in for full logits (rebuilt as FKD does, see TopKLogitsColumns)
                || (column.equals(FeatureColumns.LOGITS) && md.storedLogits().isPresent());
        if (!present) {
            throw new IllegalArgumentException(spec.label() + " needs column '" + column + "', which dataset " + dataset
                    + " does not have: extract with " + storeSetting(column));
        }
    }

    /**
     * The text student's losses (d2v, hidden, attention; the others are refused before) find their columns with
     * the shapes they compare: {@code layer_LL} [T, D_t] (any width: a projection follows), {@code attention_LL}
     * [H, T, T] with the student's head count, {@code student-block} a layer of the student.
     *
     * @param tokens the dataset's padded length (text.max-length)
     */
    static void checkTextLosses(
            String dataset, FeatureMetadata md, List<LossSpec> losses, BertConfig student, int tokens) {
        for (LossSpec spec : losses) {
            if (spec.group() != LossGroup.TOKENS && spec.group() != LossGroup.ATTENTION) {
                continue;
            }
            requireColumn(dataset, md, spec);
            if (spec.studentBlock() > student.numLayers()) {
                throw new IllegalArgumentException(spec.key() + ".student-block is " + spec.studentBlock()
                        + " but the text student has " + student.numLayers() + " layers (student.depth)");
            }
            FeatureMetadata.TensorColumn column = md.column(spec.teacherColumn());
            List<Long> shape = column.shape();
            boolean tokensFit = spec.group() == LossGroup.TOKENS
                    ? shape.size() == 2 && shape.get(0) == tokens
                    : shape.size() == 3 && shape.get(1) == tokens && shape.get(2) == tokens;
            if (!tokensFit) {
                throw mismatch(
                        dataset,
                        "column '" + column.name() + "' shape",
                        shape.toString(),
                        spec.label() + " tokens per text (text.max-length)",
                        String.valueOf(tokens));
            }
            if (spec.group() == LossGroup.ATTENTION && shape.get(0) != student.numHeads()) {
                throw new IllegalArgumentException(spec.label() + ": the teacher's attention maps in column '"
                        + column.name() + "' of dataset " + dataset + " have " + shape.get(0)
                        + " heads but the student has " + student.numHeads()
                        + " (num_attention_heads); attention maps are compared head by head");
            }
        }
    }

    /** A hidden-state loss compares token by token: the stored layer must have the student's tokens. */
    private static void checkTokens(
            String dataset, FeatureMetadata.TensorColumn column, LossSpec spec, ModelConfig student) {
        List<Long> shape = column.shape();
        if (shape.size() != 2 || shape.get(0) != student.tokens()) {
            throw mismatch(
                    dataset,
                    "column '" + column.name() + "' shape",
                    shape.toString(),
                    spec.label() + " student tokens (img " + student.imgSize() + " / patch " + student.patchSize()
                            + " + CLS)",
                    String.valueOf(student.tokens()));
        }
        if (spec.studentBlock() > student.depth()) {
            throw new IllegalArgumentException(spec.key() + ".student-block is " + spec.studentBlock()
                    + " but the student has " + student.depth() + " blocks");
        }
    }

    /**
     * An attention-map loss compares head by head and token by token: the stored maps [heads, T, T] must have the
     * student's head count and tokens.
     */
    private static void checkAttention(
            String dataset, FeatureMetadata.TensorColumn column, LossSpec spec, ModelConfig student) {
        List<Long> shape = column.shape();
        if (shape.size() != 3 || shape.get(1) != student.tokens() || shape.get(2) != student.tokens()) {
            throw mismatch(
                    dataset,
                    "column '" + column.name() + "' shape",
                    shape.toString(),
                    spec.label() + " student tokens (img " + student.imgSize() + " / patch " + student.patchSize()
                            + " + CLS)",
                    String.valueOf(student.tokens()));
        }
        if (shape.get(0) != student.numHeads()) {
            throw new IllegalArgumentException(spec.label() + ": the teacher's attention maps in column '"
                    + column.name() + "' of dataset " + dataset + " have " + shape.get(0)
                    + " heads but the student has "
                    + student.numHeads() + " (student num_heads); attention maps are compared head by head");
        }
        if (spec.studentBlock() > student.depth()) {
            throw new IllegalArgumentException(spec.key() + ".student-block is " + spec.studentBlock()
                    + " but the student has " + student.depth() + " blocks");
        }
    }

    /** The extract setting that writes {@code column}. */
    private static String storeSetting(String column) {
        if (column.startsWith(FeatureColumns.ATTENTION_PREFIX)) {
            return "store.attention including "
                    + Integer.parseInt(column.substring(FeatureColumns.ATTENTION_PREFIX.length()));
        }
        if (column.startsWith(FeatureColumns.LAYER_PREFIX)) {
            return "store.layers including " + Integer.parseInt(column.substring(FeatureColumns.LAYER_PREFIX.length()));
        }
        return switch (column) {
            case FeatureColumns.LOGITS -> "store.logits = true (a teacher with a classifier)";
            default -> "store." + column + " = true";
        };
    }

    private static void checkNormalisation(String dataset, String what, List<Double> stored, double[] student) {
        boolean same = stored.size() == student.length;
        for (int i = 0; same && i < student.length; i++) {
            same = Math.abs(stored.get(i) - student[i]) <= NORMALISATION_TOLERANCE;
        }
        if (!same) {
            throw mismatch(
                    dataset, "pixel " + what, stored.toString(), "student image_" + what, Arrays.toString(student));
        }
    }

    private static IllegalArgumentException mismatch(
            String dataset, String what, String datasetValue, String setting, String jobValue) {
        return new IllegalArgumentException(
                dataset + ": feature dataset " + what + " is " + datasetValue + " but " + setting + " is " + jobValue);
    }
}
