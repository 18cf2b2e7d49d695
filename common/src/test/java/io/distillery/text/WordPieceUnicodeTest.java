package io.distillery.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * Every code point through each normalizer step and the pre-tokenizer on its own, against what Hugging Face
 * tokenizers does with it ({@code text/unicode-classes.json.gz}, from the golden generator). The library's Unicode
 * data is not the JDK's (older categories, newer case mappings), so this is where a JDK upgrade would show.
 */
class WordPieceUnicodeTest {

    private static final WordPieceModel ONE_PIECE_PER_WORD = new WordPieceModel(Map.of("[UNK]", 0), "[UNK]", "##", 100);

    @Test
    void everyCodePointIsTreatedAsTheLibraryTreatsIt() throws IOException {
        JsonNode u;
        try (InputStream in =
                new GZIPInputStream(Files.newInputStream(WordPieceGoldenTest.resource("unicode-classes.json.gz")))) {
            u = new ObjectMapper().readTree(in);
        }
        BitSet removed = set(u.get("clean_removes"));
        BitSet toSpace = set(u.get("clean_to_space"));
        BitSet chinese = set(u.get("chinese"));
        BitSet punctuation = set(u.get("punctuation"));
        BitSet whitespace = set(u.get("whitespace"));
        BitSet stripRemoves = set(u.get("strip_removes"));
        JsonNode stripMap = u.get("strip_accents");
        JsonNode lowerMap = u.get("lowercase");

        BertNormalizer clean = new BertNormalizer(true, false, false, false);
        BertNormalizer cjk = new BertNormalizer(false, true, false, false);
        BertNormalizer strip = new BertNormalizer(false, false, true, false);
        BertNormalizer lower = new BertNormalizer(false, false, false, true);
        List<String> wrong = new ArrayList<>();
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            if (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE) {
                continue;
            }
            String c = new String(Character.toChars(cp));
            String hex = Integer.toHexString(cp);
            String expectClean = removed.get(cp) ? "" : toSpace.get(cp) ? " " : c;
            check(wrong, "clean_text " + hex, clean.normalize(c), expectClean);
            check(wrong, "handle_chinese_chars " + hex, cjk.normalize(c), chinese.get(cp) ? " " + c + " " : c);
            String expectStrip = stripRemoves.get(cp) ? "" : stripMap.has(key(cp)) ? string(stripMap.get(key(cp))) : c;
            check(wrong, "strip_accents " + hex, strip.normalize(c), expectStrip);
            check(
                    wrong,
                    "lowercase " + hex,
                    lower.normalize(c),
                    lowerMap.has(key(cp)) ? string(lowerMap.get(key(cp))) : c);
            int words = words("a" + c + "a");
            int expectWords = punctuation.get(cp) ? 3 : whitespace.get(cp) ? 2 : 1;
            if (words != expectWords) {
                wrong.add("pre-tokenizer " + hex + ": " + words + " words in a" + c + "a, expected " + expectWords);
            }
        }
        assertThat(wrong)
                .as("code points treated unlike Hugging Face tokenizers")
                .isEmpty();
    }

    private static int words(String text) {
        List<Piece> pieces = new ArrayList<>();
        BertPreTokenizer.split(
                NormalizedText.of(text, 0, text.length()),
                0,
                text.codePointCount(0, text.length()),
                ONE_PIECE_PER_WORD,
                pieces);
        return pieces.size();
    }

    private static void check(List<String> wrong, String what, String actual, String expected) {
        if (!actual.equals(expected) && wrong.size() < 50) {
            wrong.add(what + ": " + codePoints(actual) + ", expected " + codePoints(expected));
        }
    }

    private static String codePoints(String s) {
        return Arrays.toString(s.codePoints().mapToObj(Integer::toHexString).toArray());
    }

    /** The JSON maps are keyed by decimal code point. */
    private static String key(int cp) {
        return Integer.toString(cp);
    }

    private static String string(JsonNode codePoints) {
        StringBuilder sb = new StringBuilder();
        codePoints.forEach(n -> sb.appendCodePoint(n.asInt()));
        return sb.toString();
    }

    private static BitSet set(JsonNode ranges) {
        BitSet out = new BitSet();
        for (JsonNode r : ranges) {
            out.set(r.get(0).asInt(), r.get(1).asInt() + 1);
        }
        return out;
    }
}
