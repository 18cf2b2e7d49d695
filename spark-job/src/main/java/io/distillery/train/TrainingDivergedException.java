package io.distillery.train;

/** The loss or the parameters became NaN/Inf; the run stops and its last good checkpoint stays untouched. */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TrainingDivergedException(String message) {
        super(message);
    }
}
