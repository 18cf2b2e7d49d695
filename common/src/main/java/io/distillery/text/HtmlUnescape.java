package io.distillery.text;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Python's {@code html.unescape}, which CLIP's text cleaning applies twice: named references of the HTML5 list
 * (with or without the semicolon where the list allows it, and the longest known prefix of an unknown name) and
 * numeric ones, with the HTML5 replacements for invalid numbers. The tables, {@code html5-entities.txt}, are written
 * by the golden generator from Python's {@code html} module.
 */
final class HtmlUnescape {

    private static final String TABLE = "html5-entities.txt";
    /** Python's pattern reads at most this many code points of a name. */
    private static final int MAX_NAME = 32;

    private static final int[] REPLACEMENT = {0xFFFD};
    private static final int[] NOTHING = {};

    private static final Map<String, int[]> ENTITIES = new HashMap<>();
    private static final Map<Integer, int[]> INVALID_CHARREFS = new HashMap<>();
    private static final BitSet INVALID_CODEPOINTS = new BitSet();

    static {
        TableFile.read(HtmlUnescape.class, TABLE, (section, line) -> {
            switch (section) {
                case "entity" -> ENTITIES.put(TableFile.key(line), TableFile.codePoints(line));
                case "invalid_charref" ->
                    INVALID_CHARREFS.put(Integer.parseInt(TableFile.key(line), 16), TableFile.codePoints(line));
                case "invalid_codepoint" -> TableFile.addRanges(INVALID_CODEPOINTS, line);
                default -> throw new IllegalStateException(TABLE + ": unknown section [" + section + "]");
            }
        });
    }

    private HtmlUnescape() {}

    /** The text with its character references replaced, in code points. */
    static int[] unescape(int[] cps) {
        CodePoints out = new CodePoints(cps.length);
        int i = 0;
        while (i < cps.length) {
            int end = cps[i] == '&' ? referenceEnd(cps, i + 1) : -1;
            if (end < 0) {
                out.add(cps[i++]);
                continue;
            }
            out.add(replacement(cps, i + 1, end));
            i = end;
        }
        return out.toArray();
    }

    /**
     * Where the reference after an {@code &} at {@code from} ends, or -1 if none starts there: Python's
     * {@code &(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)}.
     */
    private static int referenceEnd(int[] cps, int from) {
        int i = from;
        if (i < cps.length && cps[i] == '#') {
            i++;
            boolean hex = i < cps.length && (cps[i] == 'x' || cps[i] == 'X');
            int digitsFrom = hex ? i + 1 : i;
            i = digitsFrom;
            while (i < cps.length && (hex ? Character.digit(cps[i], 16) >= 0 && cps[i] < 0x80 : isDigit(cps[i]))) {
                i++;
            }
            if (i == digitsFrom) {
                return -1;
            }
        } else {
            while (i < cps.length && i - from < MAX_NAME && isNameChar(cps[i])) {
                i++;
            }
            if (i == from) {
                return -1;
            }
        }
        return i < cps.length && cps[i] == ';' ? i + 1 : i;
    }

    /** Python's {@code _replace_charref} for the reference {@code cps[from, end)} (without its {@code &}). */
    private static int[] replacement(int[] cps, int from, int end) {
        if (cps[from] == '#') {
            boolean hex = cps[from + 1] == 'x' || cps[from + 1] == 'X';
            int digitsEnd = cps[end - 1] == ';' ? end - 1 : end;
            long num = 0;
            for (int i = hex ? from + 2 : from + 1; i < digitsEnd; i++) {
                // saturate: any number past the last code point is treated alike
                num = Math.min(num * (hex ? 16 : 10) + Character.digit(cps[i], 16), Integer.MAX_VALUE);
            }
            int[] replaced = INVALID_CHARREFS.get((int) num);
            if (replaced != null) {
                return replaced;
            }
            if ((num >= 0xD800 && num <= 0xDFFF) || num > Character.MAX_CODE_POINT) {
                return REPLACEMENT;
            }
            return INVALID_CODEPOINTS.get((int) num) ? NOTHING : new int[] {(int) num};
        }
        String name = new String(cps, from, end - from);
        int[] value = ENTITIES.get(name);
        if (value != null) {
            return value;
        }
        // the longest known prefix of at least two code points, then the rest as it is
        for (int x = end - from - 1; x > 1; x--) {
            value = ENTITIES.get(new String(cps, from, x));
            if (value != null) {
                int[] out = new int[value.length + end - from - x];
                System.arraycopy(value, 0, out, 0, value.length);
                System.arraycopy(cps, from + x, out, value.length, end - from - x);
                return out;
            }
        }
        int[] out = new int[end - from + 1];
        out[0] = '&';
        System.arraycopy(cps, from, out, 1, end - from);
        return out;
    }

    private static boolean isDigit(int cp) {
        return cp >= '0' && cp <= '9';
    }

    private static boolean isNameChar(int cp) {
        return cp != '\t' && cp != '\n' && cp != '\f' && cp != ' ' && cp != '<' && cp != '&' && cp != '#' && cp != ';';
    }
}
