package io.distillery.extract;

import io.distillery.features.FeatureMetadata;
import java.util.Objects;

/** Whether two dataset descriptions would produce the same rows (creation time and versions aside). */
final class RecipeComparison {
    private RecipeComparison() {}

    /** A short description of the first difference, or null when the recipes agree. */
    static String firstDifference(FeatureMetadata a, FeatureMetadata b) {
        if (a.textModality() != b.textModality()) {
            return "modality " + modality(a) + " vs " + modality(b);
        }
        if (!Objects.equals(a.text(), b.text())) {
            return "text " + a.text() + " vs " + b.text();
        }
        if (!Objects.equals(a.teacher().checkpointSha256(), b.teacher().checkpointSha256())) {
            return "teacher checkpoint sha256 " + a.teacher().checkpointSha256() + " vs "
                    + b.teacher().checkpointSha256();
        }
        if (!Objects.equals(a.target(), b.target())) {
            return "target " + a.target() + " vs " + b.target();
        }
        if (!Objects.equals(a.tensorColumns(), b.tensorColumns())) {
            return "columns "
                    + a.tensorColumns().stream()
                            .map(FeatureMetadata.TensorColumn::name)
                            .toList() + " vs "
                    + b.tensorColumns().stream()
                            .map(FeatureMetadata.TensorColumn::name)
                            .toList();
        }
        if (!Objects.equals(a.storedLogits(), b.storedLogits())) {
            return "logits " + a.storedLogits().orElse(null) + " vs "
                    + b.storedLogits().orElse(null);
        }
        if (!Objects.equals(a.preprocessing(), b.preprocessing())) {
            return "preprocessing " + a.preprocessing() + " vs " + b.preprocessing();
        }
        String captions = captionDifference(a.captions(), b.captions());
        if (captions != null) {
            return captions;
        }
        if (a.seed() != b.seed()) {
            return "seed " + a.seed() + " vs " + b.seed();
        }
        if (!Objects.equals(a.input(), b.input())) {
            return "input " + a.input() + " vs " + b.input();
        }
        return null;
    }

    /** The caption teachers' recipes (paths aside, as for the image teacher); null when they agree. */
    private static String captionDifference(FeatureMetadata.Captions a, FeatureMetadata.Captions b) {
        if (a == null || b == null) {
            return a == b
                    ? null
                    : "caption teacher " + (a == null ? "none" : "set") + " vs " + (b == null ? "none" : "set");
        }
        if (!Objects.equals(a.teacher().checkpointSha256(), b.teacher().checkpointSha256())) {
            return "caption teacher checkpoint sha256 " + a.teacher().checkpointSha256() + " vs "
                    + b.teacher().checkpointSha256();
        }
        if (!Objects.equals(a.target(), b.target())) {
            return "caption target " + a.target() + " vs " + b.target();
        }
        if (!Objects.equals(a.text(), b.text())) {
            return "caption text " + a.text() + " vs " + b.text();
        }
        return Objects.equals(a.tensorColumns(), b.tensorColumns()) ? null : "caption columns differ";
    }

    /** Datasets written before text existed have no modality: they are image datasets. */
    private static String modality(FeatureMetadata m) {
        return m.textModality() ? FeatureMetadata.TEXT : FeatureMetadata.IMAGE;
    }
}
