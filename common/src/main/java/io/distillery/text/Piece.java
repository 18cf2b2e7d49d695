package io.distillery.text;

/** One token of a sequence before post-processing: its id, its string and its range in the original text. */
record Piece(int id, String token, int start, int end) {}
