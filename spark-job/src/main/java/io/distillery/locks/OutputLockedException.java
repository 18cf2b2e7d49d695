package io.distillery.locks;

import java.io.IOException;

/** Another live run holds the output's writer lock; the message names the output and the owner. */
public final class OutputLockedException extends IOException {
    private static final long serialVersionUID = 1L;

    OutputLockedException(String message) {
        super(message);
    }
}
