package io.distillery.eval;

/**
 * Settings of {@link LinearProbe}, validated on construction.
 *
 * @param l2                weight of {@code (l2 / 2) ||W||^2} added to the mean cross-entropy (bias not penalised);
 *                          sklearn's {@code C} is {@code 1 / (l2 * N)}
 * @param maxIterations     L-BFGS iteration limit
 * @param gradientTolerance stop when every gradient component is at most this in magnitude
 * @param history           L-BFGS memory (correction pairs kept)
 * @param rowChunk          train rows per block when evaluating the loss: memory is {@code rowChunk x classes}
 */
public record LinearProbeSettings(double l2, int maxIterations, double gradientTolerance, int history, int rowChunk) {

    public static final double DEFAULT_L2 = 1e-4;
    public static final int DEFAULT_MAX_ITERATIONS = 1000;
    public static final double DEFAULT_GRADIENT_TOLERANCE = 1e-6;
    public static final int DEFAULT_HISTORY = 10;
    public static final int DEFAULT_ROW_CHUNK = 8192;

    public LinearProbeSettings {
        if (!(l2 >= 0) || Double.isInfinite(l2)) {
            throw new IllegalArgumentException("linear probe l2 must be finite and >= 0 but was " + l2);
        }
        if (maxIterations < 1) {
            throw new IllegalArgumentException(
                    "linear probe max iterations must be at least 1 but was " + maxIterations);
        }
        if (!(gradientTolerance > 0)) {
            throw new IllegalArgumentException(
                    "linear probe gradient tolerance must be positive but was " + gradientTolerance);
        }
        if (history < 1) {
            throw new IllegalArgumentException("linear probe L-BFGS history must be at least 1 but was " + history);
        }
        if (rowChunk < 1) {
            throw new IllegalArgumentException("linear probe row chunk must be at least 1 but was " + rowChunk);
        }
    }

    public static LinearProbeSettings defaults() {
        return new LinearProbeSettings(
                DEFAULT_L2, DEFAULT_MAX_ITERATIONS, DEFAULT_GRADIENT_TOLERANCE, DEFAULT_HISTORY, DEFAULT_ROW_CHUNK);
    }

    public LinearProbeSettings withL2(double newL2) {
        return new LinearProbeSettings(newL2, maxIterations, gradientTolerance, history, rowChunk);
    }

    public LinearProbeSettings withMaxIterations(int n) {
        return new LinearProbeSettings(l2, n, gradientTolerance, history, rowChunk);
    }

    public LinearProbeSettings withRowChunk(int rows) {
        return new LinearProbeSettings(l2, maxIterations, gradientTolerance, history, rows);
    }
}
