package io.distillery.text;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Character classes of open_clip's tokenizer as Python and its {@code regex} package see them: the letter, number
 * and "other" classes of the pre-tokenization pattern (compiled with IGNORECASE), {@code str.isspace}, and
 * {@code str.lower} with its Final_Sigma rule. They come from {@code clip-unicode.txt}, written by the golden
 * generator from Python itself, because the JDK's Unicode data is older and its regex classes differ.
 */
final class ClipChars {

    private static final String TABLE = "clip-unicode.txt";
    private static final int CAPITAL_SIGMA = 0x3A3;
    private static final int[] SMALL_SIGMA = {0x3C3};
    private static final int[] FINAL_SIGMA = {0x3C2};

    private static final BitSet LETTER = new BitSet();
    private static final BitSet NUMBER = new BitSet();
    private static final BitSet OTHER = new BitSet();
    private static final BitSet STR_SPACE = new BitSet();
    private static final BitSet CASED = new BitSet();
    private static final BitSet CASE_IGNORABLE = new BitSet();
    private static final Map<Integer, int[]> LOWER = new HashMap<>();
    /** ASCII letter to the other code points IGNORECASE matches to it (U+017F to 's', U+212A to 'k'). */
    private static final Map<Integer, BitSet> IGNORECASE = new HashMap<>();

    static {
        TableFile.read(ClipChars.class, TABLE, (section, line) -> {
            switch (section) {
                case "letter" -> TableFile.addRanges(LETTER, line);
                case "number" -> TableFile.addRanges(NUMBER, line);
                case "other" -> TableFile.addRanges(OTHER, line);
                case "str_space" -> TableFile.addRanges(STR_SPACE, line);
                case "cased" -> TableFile.addRanges(CASED, line);
                case "case_ignorable" -> TableFile.addRanges(CASE_IGNORABLE, line);
                case "lower" -> LOWER.put(Integer.parseInt(TableFile.key(line), 16), TableFile.codePoints(line));
                case "ignorecase" -> {
                    BitSet matches = new BitSet();
                    for (int cp : TableFile.codePoints(line)) {
                        matches.set(cp);
                    }
                    IGNORECASE.put(TableFile.key(line).codePointAt(0), matches);
                }
                default -> throw new IllegalStateException(TABLE + ": unknown section [" + section + "]");
            }
        });
    }

    private ClipChars() {}

    /** {@code [\p{L}]}: a run of these is one pre-token. */
    static boolean isLetter(int cp) {
        return LETTER.get(cp);
    }

    /** {@code [\p{N}]}: each is a pre-token on its own. */
    static boolean isNumber(int cp) {
        return NUMBER.get(cp);
    }

    /** {@code [^\s\p{L}\p{N}]}: a run of these is one pre-token. */
    static boolean isOther(int cp) {
        return OTHER.get(cp);
    }

    /** {@code str.isspace}, what {@code str.split()} and {@code str.strip()} take for whitespace. */
    static boolean isSpace(int cp) {
        return STR_SPACE.get(cp);
    }

    /** Whether the pattern character {@code p} (ASCII) matches {@code cp} under the regex's IGNORECASE. */
    static boolean matchesIgnoringCase(int p, int cp) {
        if (cp == p) {
            return true;
        }
        if (p < 'a' || p > 'z') {
            return false; // the patterns are lowercase; their other characters have no case
        }
        BitSet others = IGNORECASE.get(p);
        return cp == p - ('a' - 'A') || (others != null && others.get(cp));
    }

    /** Python's {@code str.lower} of {@code cps}: full lowercase mappings, and a final capital sigma to ς. */
    static int[] lower(int[] cps) {
        CodePoints out = new CodePoints(cps.length);
        for (int i = 0; i < cps.length; i++) {
            int[] mapped = cps[i] == CAPITAL_SIGMA ? sigma(cps, i) : LOWER.get(cps[i]);
            if (mapped == null) {
                out.add(cps[i]);
            } else {
                out.add(mapped);
            }
        }
        return out.toArray();
    }

    /** CPython's handle_capital_sigma: final when a cased letter precedes and none follows (past ignorables). */
    private static int[] sigma(int[] cps, int i) {
        int j = i - 1;
        while (j >= 0 && CASE_IGNORABLE.get(cps[j])) {
            j--;
        }
        if (j < 0 || !CASED.get(cps[j])) {
            return SMALL_SIGMA;
        }
        j = i + 1;
        while (j < cps.length && CASE_IGNORABLE.get(cps[j])) {
            j++;
        }
        return j == cps.length || !CASED.get(cps[j]) ? FINAL_SIGMA : SMALL_SIGMA;
    }
}
