package io.distillery.report;

/** A metrics log or report file is malformed or of an unknown version; the message names the file. */
public class ReportFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ReportFormatException(String message) {
        super(message);
    }

    public ReportFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
