package io.distillery.extract;

import io.distillery.text.Encoding;

/**
 * A sample's caption as its caption teacher takes it: a WordPiece encoding for a BERT caption teacher, or CLIP BPE
 * token ids for an open_clip teacher's text tower (the other one null).
 */
record CaptionInput(Encoding wordPiece, int[] clipIds) {
    static CaptionInput of(Encoding wordPiece) {
        return new CaptionInput(wordPiece, null);
    }

    static CaptionInput ofClip(int[] ids) {
        return new CaptionInput(null, ids);
    }
}
