package io.distillery.text;

/**
 * open_clip's default text cleaning ({@code clean='lower'}): basic_clean (HTML unescaped twice, then stripped),
 * whitespace_clean (runs of whitespace become one space) and lowercasing, as Python does each on code points.
 *
 * <p>open_clip's basic_clean first runs {@code ftfy.fix_text}, a Python library with no Java counterpart, which is
 * left out here (and in the goldens' generator). Text ftfy would change gets other ids than open_clip gives: mojibake
 * ("cafÃ©"), curly quotes (ftfy makes them straight), Latin ligatures (ﬁ), fullwidth letters, text that is not in
 * NFC (e plus a combining accent), control characters and terminal escapes. Clean captions are unaffected.
 */
final class ClipTextCleaner {

    private ClipTextCleaner() {}

    /** {@code whitespace_clean(basic_clean(text)).lower()} without ftfy, as code points. */
    static int[] clean(String text) {
        int[] cps =
                HtmlUnescape.unescape(HtmlUnescape.unescape(text.codePoints().toArray()));
        return ClipChars.lower(joinWords(cps));
    }

    /** {@code " ".join(text.split())}: the words between whitespace, one space apart, none at either end. */
    private static int[] joinWords(int[] cps) {
        CodePoints out = new CodePoints(cps.length);
        boolean gap = false;
        for (int cp : cps) {
            if (ClipChars.isSpace(cp)) {
                gap = out.size() > 0;
                continue;
            }
            if (gap) {
                out.add(' ');
                gap = false;
            }
            out.add(cp);
        }
        return out.toArray();
    }
}
