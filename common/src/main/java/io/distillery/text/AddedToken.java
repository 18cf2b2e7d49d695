package io.distillery.text;

/**
 * A token matched in the text before the model sees it ({@code added_tokens} of tokenizer.json): the special
 * tokens, so that "[MASK]" typed in a sentence stays one token, and any user-added ones.
 *
 * @param normalized match against the normalized text (else the raw text)
 * @param singleWord match only when not inside a word
 * @param lstrip also take the whitespace before the match
 * @param rstrip also take the whitespace after the match
 */
record AddedToken(
        String content,
        int id,
        boolean special,
        boolean normalized,
        boolean singleWord,
        boolean lstrip,
        boolean rstrip) {

    static AddedToken special(String content, int id) {
        return new AddedToken(content, id, true, false, false, false, false);
    }
}
