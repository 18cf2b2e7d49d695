package io.distillery.image;

/** Why an image could not be used (the {@code reason} column of a rejects table). */
public enum RejectReason {
    /** Zero bytes. */
    EMPTY,
    /** Not a recognisable image, an unreadable header, or pixel data so damaged that decoding fails or warns. */
    UNDECODABLE,
    /** A valid start whose data stops early: a cut download or an incomplete write. */
    TRUNCATED,
    /** The header declares more pixels than the decode limits allow; nothing was decoded. */
    TOO_LARGE,
    /** A real image in a format or variant this build cannot decode (HEIF, AVIF, JPEG 2000, hierarchical JPEG...). */
    UNSUPPORTED
}
