package io.distillery.text;

import java.util.List;
import java.util.Map;

/**
 * BERT's WordPiece: each word becomes the longest vocabulary entry that starts it, then the longest
 * {@code ##}-prefixed entry that continues it, and so on; a word that cannot be covered this way, or that is longer
 * than {@code maxInputCharsPerWord} code points, becomes a single unknown token spanning the whole word.
 */
final class WordPieceModel {

    private final Map<String, Integer> vocab;
    private final String unkToken;
    private final int unkId;
    private final String prefix;
    private final int maxInputCharsPerWord;

    /** {@code vocab} must contain {@code unkToken}; the caller checks that, to name the file. */
    WordPieceModel(Map<String, Integer> vocab, String unkToken, String prefix, int maxInputCharsPerWord) {
        this.vocab = Map.copyOf(vocab);
        this.unkToken = unkToken;
        this.unkId = this.vocab.get(unkToken);
        this.prefix = prefix;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
    }

    Map<String, Integer> vocab() {
        return vocab;
    }

    /** Appends the pieces of the word {@code text[from, to)}; offsets come from the normalized text's alignment. */
    void tokenize(NormalizedText text, int from, int to, List<Piece> out) {
        int unkAt = out.size();
        if (to - from > maxInputCharsPerWord) {
            out.add(new Piece(unkId, unkToken, text.start(from), text.end(to - 1)));
            return;
        }
        String word = text.substring(from, to);
        int[] utf16 = new int[to - from + 1]; // where each code point of word starts
        for (int i = 0; i < to - from; i++) {
            utf16[i + 1] = utf16[i] + Character.charCount(text.codePoint(from + i));
        }
        int start = 0;
        int length = to - from;
        while (start < length) {
            int end = length;
            Integer id = null;
            String candidate = null;
            while (end > start) {
                String sub = word.substring(utf16[start], utf16[end]);
                candidate = start > 0 ? prefix + sub : sub;
                id = vocab.get(candidate);
                if (id != null) {
                    break;
                }
                end--;
            }
            if (id == null) {
                out.subList(unkAt, out.size()).clear();
                out.add(new Piece(unkId, unkToken, text.start(from), text.end(to - 1)));
                return;
            }
            out.add(new Piece(id, candidate, text.start(from + start), text.end(from + end - 1)));
            start = end;
        }
    }
}
