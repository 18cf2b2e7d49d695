package io.distillery.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tiny BERT of common's test fixtures ({@code /bert/}: vocabulary 120, hidden 32, 2 layers, 4 heads) and a
 * WordPiece vocabulary for it, shared by the text tests of every job.
 */
public final class TinyBert {
    private TinyBert() {}

    /** A file of the fixture, e.g. {@code config.json} or {@code weights.safetensors}. */
    public static Path file(String name) {
        return ResourceFiles.of("/bert/" + name);
    }

    /**
     * Writes a WordPiece vocabulary within the tiny BERT's 120 ids to {@code file} (parents created): the specials,
     * every lowercase letter and its {@code ##} continuation (so any lowercase ASCII text tokenizes), some words and
     * punctuation.
     */
    public static Path vocab(Path file) throws IOException {
        List<String> tokens = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        for (char c = 'a'; c <= 'z'; c++) {
            tokens.add(String.valueOf(c));
            tokens.add("##" + c);
        }
        tokens.addAll(List.of(
                "the", "cat", "dog", "sat", "on", "mat", "ran", "far", "away", "big", "red", "house", "tree", "from",
                "and", "##s", "##ed", ".", ",", "!", "?"));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, tokens);
        return file;
    }
}
