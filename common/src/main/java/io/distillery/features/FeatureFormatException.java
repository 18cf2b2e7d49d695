package io.distillery.features;

/** A feature dataset (or one of its files) is malformed, partial, or of an unknown version; names the file. */
public class FeatureFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FeatureFormatException(String message) {
        super(message);
    }

    public FeatureFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
