package io.distillery.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link ClipTokenizer#openaiDefault()} against open_clip's SimpleTokenizer and tokenize() as transcribed in {@code
 * clip-text/generate.py} (without ftfy): every case of {@code clip-text/goldens.json}, ids exactly. The cases:
 * captions, punctuation, contractions, digits, accents, CJK, emoji, Greek sigmas, HTML references, whitespace of
 * every kind, long texts cut at 77 and at small context lengths, and a sample of code points of every class.
 */
class ClipTokenizerGoldenTest {

    static JsonNode goldens() throws IOException {
        try (InputStream in = ClipTokenizerGoldenTest.class.getResourceAsStream("/clip-text/goldens.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    @TestFactory
    Stream<DynamicTest> matchesOpenClip() throws IOException {
        ClipTokenizer tokenizer = ClipTokenizer.openaiDefault();
        return StreamSupport.stream(goldens().get("cases").spliterator(), false)
                .map(c -> DynamicTest.dynamicTest(
                        title(c),
                        () -> assertThat(tokenizer.tokenize(
                                        c.get("text").asText(),
                                        c.get("context_length").asInt()))
                                .as(title(c))
                                .isEqualTo(ints(c.get("ids")))));
    }

    @Test
    void specialIdsAndSizeAreOpenClips() throws IOException {
        JsonNode golden = goldens();
        ClipTokenizer tokenizer = ClipTokenizer.openaiDefault();
        assertThat(tokenizer.sotId()).isEqualTo(golden.get("sot").asInt()).isEqualTo(49406);
        assertThat(tokenizer.eotId()).isEqualTo(golden.get("eot").asInt()).isEqualTo(49407);
        assertThat(tokenizer.vocabSize())
                .isEqualTo(golden.get("vocab_size").asInt())
                .isEqualTo(49408);
    }

    @Test
    void goldensCoverWhatTheyClaim() throws IOException {
        JsonNode golden = goldens();
        assertThat(golden.get("generator").asText()).contains("open_clip SimpleTokenizer without ftfy");
        Map<String, Integer> groups = new HashMap<>();
        int truncated = 0;
        int padded = 0;
        for (JsonNode c : golden.get("cases")) {
            groups.merge(c.get("group").asText(), 1, Integer::sum);
            int[] ids = ints(c.get("ids"));
            assertThat(ids).hasSize(c.get("context_length").asInt());
            boolean full = ids[ids.length - 1] != 0;
            truncated += full && c.get("text").asText().length() > ids.length ? 1 : 0;
            padded += full ? 0 : 1;
        }
        assertThat(groups.keySet())
                .contains("caption", "punctuation", "contraction", "digits", "unicode", "html", "whitespace", "long");
        assertThat(groups.get("code point")).isGreaterThan(500);
        assertThat(truncated).isGreaterThan(50);
        assertThat(padded).isGreaterThan(400);
    }

    private static String title(JsonNode c) {
        String text = c.get("text").asText();
        StringBuilder sb = new StringBuilder(c.get("group").asText()).append(" '");
        text.codePoints().limit(40).forEach(cp -> {
            if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || Character.getType(cp) == Character.FORMAT) {
                sb.append(String.format("\\u%04x", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        sb.append(text.codePointCount(0, text.length()) > 40 ? "...'" : "'");
        return sb.append(" context ").append(c.get("context_length").asInt()).toString();
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
