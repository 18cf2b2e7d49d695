package io.distillery.report;

/**
 * One model's evaluation results. A null metric was not measured; a non-finite one was measured and failed (e.g. a
 * diverged student's MSE) and is reported as such. Accuracies are fractions in [0, 1].
 *
 * @param name                the model's name in tables and plots, unique within a report
 * @param kind                free-form role, e.g. "teacher", "student", "baseline"
 * @param knnAccuracy         kNN top-1 accuracy
 * @param linearProbeAccuracy linear-probe top-1 accuracy
 * @param targetMse           mean squared error of predicted to target tokens
 * @param targetCosine        mean per-token cosine similarity of predicted to target tokens
 * @param featureDim          dimension of the evaluated features
 * @param trainCount          train examples (kNN bank / probe training set)
 * @param testCount           test examples
 * @param checkpoint          the weights file that was scored (null when not recorded, e.g. reports of earlier builds)
 * @param checkpointSha256    its SHA-256, so the result stays tied to exactly those weights
 * @param headAccuracy        top-1 of the model's own classifier head (null: the model has none)
 */
public record ModelResult(
        String name,
        String kind,
        Double knnAccuracy,
        Double linearProbeAccuracy,
        Double targetMse,
        Double targetCosine,
        int featureDim,
        long trainCount,
        long testCount,
        String checkpoint,
        String checkpointSha256,
        Double headAccuracy) {

    public ModelResult {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("model name must not be blank");
        }
        if (kind == null || kind.isBlank()) {
            throw new IllegalArgumentException("model kind must not be blank (model " + name + ")");
        }
        checkFraction(knnAccuracy, "kNN accuracy", name);
        checkFraction(linearProbeAccuracy, "linear-probe accuracy", name);
        checkFraction(headAccuracy, "classifier-head accuracy", name);
        if (featureDim < 1) {
            throw new IllegalArgumentException(
                    "feature dimension of model " + name + " must be at least 1 but was " + featureDim);
        }
        if (trainCount < 0 || testCount < 0) {
            throw new IllegalArgumentException(
                    "example counts of model " + name + " must be >= 0 but were " + trainCount + " / " + testCount);
        }
    }

    /** A result that does not name its checkpoint. */
    public ModelResult(
            String name,
            String kind,
            Double knnAccuracy,
            Double linearProbeAccuracy,
            Double targetMse,
            Double targetCosine,
            int featureDim,
            long trainCount,
            long testCount) {
        this(
                name,
                kind,
                knnAccuracy,
                linearProbeAccuracy,
                targetMse,
                targetCosine,
                featureDim,
                trainCount,
                testCount,
                null,
                null,
                null);
    }

    private static void checkFraction(Double v, String what, String name) {
        if (v != null && Double.isFinite(v) && (v < 0 || v > 1)) {
            throw new IllegalArgumentException(
                    what + " of model " + name + " must be a fraction in [0, 1] but was " + v);
        }
    }

    /** A result with accuracies only (no target similarity). */
    public static ModelResult accuracies(
            String name, String kind, double knn, double linearProbe, int featureDim, long trainCount, long testCount) {
        return new ModelResult(name, kind, knn, linearProbe, null, null, featureDim, trainCount, testCount);
    }

    public ModelResult withTargetSimilarity(double mse, double cosine) {
        return new ModelResult(
                name,
                kind,
                knnAccuracy,
                linearProbeAccuracy,
                mse,
                cosine,
                featureDim,
                trainCount,
                testCount,
                checkpoint,
                checkpointSha256,
                headAccuracy);
    }

    /** The same result naming the weights file it scored and that file's SHA-256. */
    public ModelResult withCheckpoint(String file, String sha256) {
        return new ModelResult(
                name,
                kind,
                knnAccuracy,
                linearProbeAccuracy,
                targetMse,
                targetCosine,
                featureDim,
                trainCount,
                testCount,
                file,
                sha256,
                headAccuracy);
    }

    /** The same result with the top-1 accuracy of the model's own classifier head. */
    public ModelResult withHeadAccuracy(double accuracy) {
        return new ModelResult(
                name,
                kind,
                knnAccuracy,
                linearProbeAccuracy,
                targetMse,
                targetCosine,
                featureDim,
                trainCount,
                testCount,
                checkpoint,
                checkpointSha256,
                accuracy);
    }
}
