package io.distillery.importer;

/**
 * An IDX file that is not what it claims to be (wrong magic, impossible dimensions, truncated or trailing data,
 * damaged gzip stream), or an image file and a label file that do not belong together. The message is one line and
 * names the file.
 */
public class IdxFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public IdxFormatException(String message) {
        super(message);
    }

    public IdxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
