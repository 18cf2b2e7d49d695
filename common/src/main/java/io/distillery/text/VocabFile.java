package io.distillery.text;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a BERT vocab.txt as the library's {@code WordPiece::read_file} does: one token per line (LF or CRLF), the
 * line number its id, trailing whitespace dropped; a token listed twice keeps its last id.
 */
final class VocabFile {

    static final String UNK = "[UNK]";
    static final String CLS = "[CLS]";
    static final String SEP = "[SEP]";
    static final String PAD = "[PAD]";
    static final String MASK = "[MASK]";

    private VocabFile() {}

    static Map<String, Integer> read(Path file) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new TokenizerFormatException(file + ": not valid UTF-8", e);
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        int id = 0;
        int start = 0;
        while (start < text.length()) {
            int newline = text.indexOf('\n', start);
            int end = newline < 0 ? text.length() : newline;
            vocab.put(trimEnd(text.substring(start, end)), id++);
            start = end + 1;
        }
        if (vocab.isEmpty()) {
            throw new TokenizerFormatException(file + ": the vocabulary is empty");
        }
        return vocab;
    }

    /** The tokenizer transformers' BertTokenizerFast builds from a vocab.txt. */
    static WordPieceTokenizer tokenizer(Path file, boolean lowercase) throws IOException {
        Map<String, Integer> vocab = read(file);
        for (String required : List.of(UNK, CLS, SEP, PAD)) {
            if (!vocab.containsKey(required)) {
                throw new TokenizerFormatException(
                        file + ": no " + required + " token (a BERT vocabulary has [PAD], [UNK], [CLS], [SEP])");
            }
        }
        List<AddedToken> specials = new ArrayList<>();
        for (String s : List.of(PAD, UNK, CLS, SEP, MASK)) {
            if (vocab.containsKey(s)) {
                specials.add(AddedToken.special(s, vocab.get(s)));
            }
        }
        return new WordPieceTokenizer(
                file.toString(),
                BertNormalizer.bert(lowercase),
                new WordPieceModel(vocab, UNK, "##", 100),
                specials,
                Template.bert(CLS, vocab.get(CLS), SEP, vocab.get(SEP)),
                PAD,
                vocab.get(PAD),
                0);
    }

    /** Rust's {@code str::trim_end}: drops trailing White_Space (a CR of a CRLF line among it). */
    private static String trimEnd(String line) {
        int end = line.length();
        while (end > 0) {
            int cp = line.codePointBefore(end);
            if (!BertChars.isWhitespace(cp)) {
                break;
            }
            end -= Character.charCount(cp);
        }
        return line.substring(0, end);
    }
}
