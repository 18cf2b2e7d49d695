package io.distillery.text;

import java.util.List;

/**
 * Splits cleaned text into the pieces that BPE encodes, like open_clip's pattern
 * {@code <|startoftext|>|<|endoftext|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+} with
 * IGNORECASE, found left to right: at each position the first alternative that matches wins; a position where none
 * does (whitespace) is skipped.
 */
final class ClipPreTokenizer {

    private static final int[][] CONTRACTIONS = {
        {'\'', 's'}, {'\'', 't'}, {'\'', 'r', 'e'}, {'\'', 'v', 'e'}, {'\'', 'm'}, {'\'', 'l', 'l'}, {'\'', 'd'}
    };

    private final int[][] specials;

    /** {@code specials} are matched first, in this order (lowercase ASCII, as the text is lowercased). */
    ClipPreTokenizer(List<String> specials) {
        this.specials = specials.stream().map(s -> s.codePoints().toArray()).toArray(int[][]::new);
    }

    /** Receives each piece as {@code text[start, end)}. */
    interface Sink {
        void piece(int[] text, int start, int end);
    }

    void split(int[] text, Sink sink) {
        int i = 0;
        while (i < text.length) {
            int end = matchAt(text, i);
            if (end < 0) {
                i++;
            } else {
                sink.piece(text, i, end);
                i = end;
            }
        }
    }

    /** The end of the match at {@code i}, or -1. */
    private int matchAt(int[] text, int i) {
        for (int[] special : specials) {
            if (literalAt(text, i, special)) {
                return i + special.length;
            }
        }
        for (int[] contraction : CONTRACTIONS) {
            if (literalAt(text, i, contraction)) {
                return i + contraction.length;
            }
        }
        int cp = text[i];
        if (ClipChars.isLetter(cp)) {
            int end = i + 1;
            while (end < text.length && ClipChars.isLetter(text[end])) {
                end++;
            }
            return end;
        }
        if (ClipChars.isNumber(cp)) {
            return i + 1;
        }
        if (ClipChars.isOther(cp)) {
            int end = i + 1;
            while (end < text.length && ClipChars.isOther(text[end])) {
                end++;
            }
            return end;
        }
        return -1;
    }

    private static boolean literalAt(int[] text, int i, int[] literal) {
        if (i + literal.length > text.length) {
            return false;
        }
        for (int k = 0; k < literal.length; k++) {
            if (!ClipChars.matchesIgnoringCase(literal[k], text[i + k])) {
                return false;
            }
        }
        return true;
    }
}
