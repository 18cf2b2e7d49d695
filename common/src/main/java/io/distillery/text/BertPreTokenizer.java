package io.distillery.text;

import java.util.List;

/**
 * The BertPreTokenizer of Hugging Face tokenizers: words end at whitespace (dropped) and at punctuation (kept, each
 * punctuation character a word of its own).
 */
final class BertPreTokenizer {

    private BertPreTokenizer() {}

    /** Hands each word of {@code text[from, to)} to {@code model}, in order. */
    static void split(NormalizedText text, int from, int to, WordPieceModel model, List<Piece> out) {
        int wordStart = from;
        for (int i = from; i < to; i++) {
            int cp = text.codePoint(i);
            boolean space = BertChars.isWhitespace(cp);
            if (space || BertChars.isPunctuation(cp)) {
                if (wordStart < i) {
                    model.tokenize(text, wordStart, i, out);
                }
                if (!space) {
                    model.tokenize(text, i, i + 1, out);
                }
                wordStart = i + 1;
            }
        }
        if (wordStart < to) {
            model.tokenize(text, wordStart, to, out);
        }
    }
}
