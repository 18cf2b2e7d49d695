package io.distillery.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds added tokens in text the way the Hugging Face library does (aho-corasick, leftmost-longest): scanning left
 * to right, the match that starts first wins, the longest one if several start there; the next search starts where
 * it ends. A single-word token inside a word is skipped (and the search still moves past it). Tokens with
 * {@code normalized} false are looked for in the raw text first; the rest, normalized themselves, in each remaining
 * stretch after normalization.
 */
final class AddedVocabulary {

    /** A stretch of the searched code points: an added token ({@code token} set) or text between tokens. */
    record Split(int start, int end, AddedToken token) {}

    private final Map<Integer, List<Pattern>> raw = new HashMap<>();
    private final Map<Integer, List<Pattern>> normalized = new HashMap<>();

    private record Pattern(int[] codePoints, AddedToken token) {}

    AddedVocabulary(List<AddedToken> tokens, BertNormalizer normalizer) {
        for (AddedToken t : tokens) {
            String content = t.normalized() && normalizer != null ? normalizer.normalize(t.content()) : t.content();
            if (content.isEmpty()) {
                continue;
            }
            int[] cps = content.codePoints().toArray();
            (t.normalized() ? normalized : raw)
                    .computeIfAbsent(cps[0], k -> new ArrayList<>())
                    .add(new Pattern(cps, t));
        }
    }

    boolean hasRaw() {
        return !raw.isEmpty();
    }

    boolean hasNormalized() {
        return !normalized.isEmpty();
    }

    /** Splits {@code cps[from, to)} on the raw (not normalized) tokens. */
    List<Split> splitRaw(int[] cps, int from, int to) {
        return split(cps, from, to, raw);
    }

    /** Splits {@code cps[from, to)}, already normalized, on the normalized tokens. */
    List<Split> splitNormalized(int[] cps, int from, int to) {
        return split(cps, from, to, normalized);
    }

    private static List<Split> split(int[] cps, int from, int to, Map<Integer, List<Pattern>> patterns) {
        List<Split> out = new ArrayList<>();
        int done = from; // end of the last match
        int pos = from;
        while (pos < to) {
            Pattern best = longestAt(cps, pos, to, patterns);
            if (best == null) {
                pos++;
                continue;
            }
            int start = pos;
            int end = pos + best.codePoints.length;
            pos = end;
            AddedToken t = best.token;
            if (t.singleWord()
                    && ((start > from && isWordChar(cps[start - 1])) || (end < to && isWordChar(cps[end])))) {
                continue;
            }
            if (t.lstrip()) {
                while (start > done && BertChars.isWhitespace(cps[start - 1])) {
                    start--;
                }
            }
            if (t.rstrip()) {
                while (end < to && BertChars.isWhitespace(cps[end])) {
                    end++;
                }
                pos = end;
            }
            if (done < start) {
                out.add(new Split(done, start, null));
            }
            out.add(new Split(start, end, t));
            done = end;
        }
        if (done < to) {
            out.add(new Split(done, to, null));
        }
        return out;
    }

    private static Pattern longestAt(int[] cps, int pos, int to, Map<Integer, List<Pattern>> patterns) {
        List<Pattern> candidates = patterns.get(cps[pos]);
        if (candidates == null) {
            return null;
        }
        Pattern best = null;
        for (Pattern p : candidates) {
            int n = p.codePoints.length;
            if (pos + n > to || (best != null && n <= best.codePoints.length)) {
                continue;
            }
            boolean match = true;
            for (int k = 1; k < n && match; k++) {
                match = cps[pos + k] == p.codePoints[k];
            }
            if (match) {
                best = p;
            }
        }
        return best;
    }

    /** {@code \w} of Rust's regex crate: alphabetic, marks, decimal digits, connector punctuation, joiners. */
    private static boolean isWordChar(int cp) {
        if (Character.isAlphabetic(cp) || cp == 0x200C || cp == 0x200D) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK
                || type == Character.ENCLOSING_MARK
                || type == Character.COMBINING_SPACING_MARK
                || type == Character.DECIMAL_DIGIT_NUMBER
                || type == Character.CONNECTOR_PUNCTUATION;
    }
}
