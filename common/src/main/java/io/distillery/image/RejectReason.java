package io.distillery.image;

/** Why an image could not be used (the {@code reason} column of a rejects table). */
public enum RejectReason {
    EMPTY, UNDECODABLE, TRUNCATED, TOO_LARGE
}
