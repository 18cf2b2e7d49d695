package io.distillery.image;

import java.util.Objects;

/**
 * An image that becomes a rejects row, not a crash. The message is one line that names the source and says why,
 * e.g. {@code "shard-0003.tar/000123.jpg: truncated JPEG (Corrupt JPEG data: premature end of data segment)"}.
 */
public class ImageRejectedException extends Exception {
    private static final long serialVersionUID = 1L;
    private final RejectReason reason;

    public ImageRejectedException(RejectReason reason, String message) {
        this(reason, message, null);
    }

    public ImageRejectedException(RejectReason reason, String message, Throwable cause) {
        super(oneLine(message), cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public RejectReason reason() {
        return reason;
    }

    /** Rejects tables hold one row per image; decoder messages sometimes carry line breaks. */
    private static String oneLine(String message) {
        return message == null
                ? null
                : message.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
