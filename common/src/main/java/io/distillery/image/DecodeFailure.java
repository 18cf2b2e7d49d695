package io.distillery.image;

import java.io.EOFException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Turns what went wrong while decoding (an exception, or a warning from a decoder that papered over damage)
 * into a rejection with a reason. The container's own structure decides TRUNCATED first, because decoders word
 * the same cut file in many ways ("No SOF segment in stream", "Invalid block length for LZW encoded image data").
 */
final class DecodeFailure {
    /** Warnings that mean the pixels are wrong (libjpeg's JWRN_*, TwelveMonkeys', the GIF reader's). */
    private static final List<String> DAMAGE_WORDS = List.of(
            "corrupt",
            "premature end",
            "unexpected end",
            "truncat",
            "missing eoi",
            "bad huffman",
            "inconsistent progression",
            "invalid sos",
            "out-of-sequence");

    private static final List<String> CUT_WORDS =
            List.of("premature end", "unexpected end", "truncat", "missing eoi", "end of file", "end of stream");
    private static final List<String> UNSUPPORTED_WORDS = List.of("unsupported", "not supported", "not implemented");
    private static final int MAX_DETAIL = 240;

    private final ImageFormat format;
    private final byte[] bytes;
    private final String source;

    DecodeFailure(ImageFormat format, byte[] bytes, String source) {
        this.format = format;
        this.bytes = bytes;
        this.source = source;
    }

    /** Whether a reader warning reports damaged or missing data (others, e.g. about ICC profiles, are harmless). */
    static boolean isDamage(String warning) {
        return containsAny(warning, DAMAGE_WORDS);
    }

    ImageRejectedException fromException(boolean inHeader, Throwable error) {
        String detail = detail(error);
        if (format.endsEarly(bytes) || inChain(error, EOFException.class) || containsAny(detail, CUT_WORDS)) {
            return reject(RejectReason.TRUNCATED, "truncated " + format.displayName(), detail, error);
        }
        if (inChain(error, UnsupportedOperationException.class) || containsAny(detail, UNSUPPORTED_WORDS)) {
            return reject(RejectReason.UNSUPPORTED, "unsupported " + format.displayName() + " variant", detail, error);
        }
        String what = inHeader
                ? "unreadable " + format.displayName() + " header"
                : "corrupt " + format.displayName() + " data";
        return reject(RejectReason.UNDECODABLE, what, detail, error);
    }

    ImageRejectedException fromWarning(String warning) {
        if (format.endsEarly(bytes) || containsAny(warning, CUT_WORDS)) {
            return reject(RejectReason.TRUNCATED, "truncated " + format.displayName(), warning, null);
        }
        return reject(RejectReason.UNDECODABLE, "corrupt " + format.displayName() + " data", warning, null);
    }

    private ImageRejectedException reject(RejectReason reason, String what, String detail, Throwable cause) {
        String shortDetail = detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) + "..." : detail;
        return new ImageRejectedException(reason, source + ": " + what + " (" + shortDetail + ")", cause);
    }

    /** The distinct messages along the cause chain: readers wrap the telling cause in a generic message. */
    private static String detail(Throwable error) {
        List<String> parts = new ArrayList<>();
        for (Throwable t = error; t != null && parts.size() < 4; t = t.getCause()) {
            String m = t.getMessage() == null
                    ? t.getClass().getSimpleName()
                    : t.getMessage().strip();
            if (!m.isEmpty() && parts.stream().noneMatch(p -> p.contains(m))) {
                parts.add(m);
            }
        }
        return String.join(": ", parts);
    }

    private static boolean inChain(Throwable error, Class<? extends Throwable> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static boolean containsAny(String text, List<String> words) {
        String lower = text.toLowerCase(Locale.ROOT);
        return words.stream().anyMatch(lower::contains);
    }
}
