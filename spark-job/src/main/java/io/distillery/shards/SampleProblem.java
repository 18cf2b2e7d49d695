package io.distillery.shards;

import java.util.Locale;

/**
 * Why a sample is rejected before its image is decoded (the {@code reason} column of a rejects row, next to the
 * decoder's {@link io.distillery.image.RejectReason}s).
 */
public enum SampleProblem {
    /** No image member (webdataset: only {@code .txt}, {@code .cls}, unknown members; Parquet: a null image). */
    NO_IMAGE,
    /** Text input: no text (webdataset: no {@code .txt} nor a {@code caption}/{@code text} field in {@code .json}; Parquet: a null text). */
    NO_TEXT,
    /** Text input: a text that is empty or only whitespace. */
    EMPTY_TEXT,
    /** A key already read: the first copy is kept, every later one is rejected. */
    DUPLICATE,
    /**
     * A label outside the known classes (negative, or past the last class name), or a text line whose label is not
     * an integer.
     */
    BAD_LABEL,
    /** A tar member name that is absolute or climbs with {@code ..}: never used as a key. */
    BAD_KEY,
    /** A symbolic link leading outside {@code input.path}: not followed. */
    OUTSIDE_INPUT;

    /** The value stored in the rejects table. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
