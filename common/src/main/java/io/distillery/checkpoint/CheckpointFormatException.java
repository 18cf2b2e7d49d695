package io.distillery.checkpoint;

/** A checkpoint file (or its tensors) is malformed or does not fit the model; the message names file and tensor. */
public class CheckpointFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckpointFormatException(String message) {
        super(message);
    }

    public CheckpointFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
