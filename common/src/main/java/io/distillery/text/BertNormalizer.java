package io.distillery.text;

/**
 * The BertNormalizer of Hugging Face tokenizers: clean_text (drop controls, NUL and U+FFFD, turn whitespace into
 * spaces), handle_chinese_chars (spaces around CJK ideographs, so each becomes a word), strip_accents (NFD, then
 * drop nonspacing marks; when null it follows lowercase) and lowercase, in that order, character by character.
 *
 * <p>One difference no real text meets: the library reorders combining marks canonically across the whole string
 * during NFD; here each character is decomposed on its own. Marks that strip_accents removes are unaffected, so this
 * matters only for the few combining marks of nonzero class that are not nonspacing (Mc), side by side.
 */
record BertNormalizer(boolean cleanText, boolean handleChineseChars, boolean stripAccents, boolean lowercase) {

    /** transformers' BertTokenizerFast for a vocab.txt: strip_accents follows do_lower_case. */
    static BertNormalizer bert(boolean lowercase) {
        return new BertNormalizer(true, true, lowercase, lowercase);
    }

    /** Normalizes {@code text[from, to)}. */
    NormalizedText normalize(String text, int from, int to) {
        NormalizedText raw = NormalizedText.of(text, from, to);
        NormalizedText out = new NormalizedText(raw.size() + raw.size() / 4);
        for (int i = 0; i < raw.size(); i++) {
            int cp = raw.codePoint(i);
            int start = raw.start(i);
            int end = raw.end(i);
            if (cleanText) {
                if (BertChars.isControl(cp)) {
                    continue;
                }
                if (BertChars.isWhitespace(cp)) {
                    cp = ' ';
                }
            }
            if (handleChineseChars && BertChars.isChinese(cp)) {
                out.add(' ', start, end);
                addStripped(out, cp, start, end); // compatibility ideographs (U+F900...) have decompositions
                out.add(' ', start, end);
            } else {
                addStripped(out, cp, start, end);
            }
        }
        return out;
    }

    /** The whole string normalized, for added tokens that match normalized text. */
    String normalize(String text) {
        NormalizedText n = normalize(text, 0, text.length());
        return n.substring(0, n.size());
    }

    private void addStripped(NormalizedText out, int cp, int start, int end) {
        if (!stripAccents) {
            addCased(out, cp, start, end);
            return;
        }
        for (int d : BertChars.nfd(cp)) {
            if (!BertChars.isNonspacingMark(d)) {
                addCased(out, d, start, end);
            }
        }
    }

    private void addCased(NormalizedText out, int cp, int start, int end) {
        if (!lowercase) {
            out.add(cp, start, end);
            return;
        }
        for (int c : BertChars.lowercase(cp)) {
            out.add(c, start, end);
        }
    }
}
