package io.distillery.text;

import java.util.List;

/**
 * One encoded input: token ids with their token type ids, attention mask, special-tokens mask, token strings and
 * offsets, all of the same length. Offsets are UTF-16 indices ({@link String#substring} bounds) into the sequence the
 * token came from (the first or the second text of a pair); special and padding tokens have {@code 0, 0}. The
 * arrays handed out are copies.
 */
public final class Encoding {

    private final int[] ids;
    private final int[] typeIds;
    private final int[] attentionMask;
    private final int[] specialTokensMask;
    private final List<String> tokens;
    private final int[] starts;
    private final int[] ends;

    Encoding(
            int[] ids,
            int[] typeIds,
            int[] attentionMask,
            int[] specialTokensMask,
            List<String> tokens,
            int[] starts,
            int[] ends) {
        this.ids = ids;
        this.typeIds = typeIds;
        this.attentionMask = attentionMask;
        this.specialTokensMask = specialTokensMask;
        this.tokens = List.copyOf(tokens);
        this.starts = starts;
        this.ends = ends;
    }

    /** Number of tokens, padding included. */
    public int length() {
        return ids.length;
    }

    public int[] ids() {
        return ids.clone();
    }

    /** 0 for the first sequence (and its [CLS] and [SEP]), 1 for the second of a pair; 0 for padding. */
    public int[] typeIds() {
        return typeIds.clone();
    }

    /** 1 for real tokens, 0 for padding. */
    public int[] attentionMask() {
        return attentionMask.clone();
    }

    /** 1 for the tokens the template added ([CLS], [SEP]) and for padding, 0 for tokens of the text. */
    public int[] specialTokensMask() {
        return specialTokensMask.clone();
    }

    public List<String> tokens() {
        return tokens;
    }

    /** Where each token starts in its text (UTF-16 index). */
    public int[] starts() {
        return starts.clone();
    }

    /** Where each token ends in its text (UTF-16 index, exclusive). */
    public int[] ends() {
        return ends.clone();
    }

    @Override
    public String toString() {
        return "Encoding" + tokens;
    }
}
