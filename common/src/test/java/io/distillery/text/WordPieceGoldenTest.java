package io.distillery.text;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@link WordPieceTokenizer} against Hugging Face tokenizers itself: every case of {@code text/goldens.json} (ids,
 * type ids, attention and special-tokens masks, token strings and offsets, exactly) for four tokenizer.json files,
 * and for the two vocab.txt pipelines. The cases (accents, CJK, emoji, controls, long words, added tokens with every
 * option, truncation and padding of single texts and pairs) and how to regenerate them: {@code
 * text/generate_goldens.mjs} and docs/text.md.
 */
class WordPieceGoldenTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> matchesHuggingFaceTokenizers() throws IOException {
        JsonNode golden = golden();
        Map<String, WordPieceTokenizer> tokenizers = new LinkedHashMap<>();
        golden.get("tokenizers")
                .fields()
                .forEachRemaining(e -> tokenizers.put(
                        e.getKey(),
                        load(() -> WordPieceTokenizer.fromTokenizerJson(
                                resource(e.getValue().asText())))));
        Map<String, WordPieceTokenizer> fromVocab = new LinkedHashMap<>();
        golden.get("from_vocab")
                .fields()
                .forEachRemaining(e -> fromVocab.put(
                        e.getKey(),
                        load(() -> WordPieceTokenizer.fromVocab(
                                resource(golden.get("vocab").asText()),
                                e.getValue().booleanValue()))));

        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : golden.get("cases")) {
            String name = c.get("tokenizer").asText();
            tests.add(DynamicTest.dynamicTest(title(c), () -> check(tokenizers.get(name), c, title(c))));
            if (fromVocab.containsKey(name)) {
                tests.add(DynamicTest.dynamicTest(
                        "vocab.txt " + title(c), () -> check(fromVocab.get(name), c, "vocab.txt " + title(c))));
            }
        }
        return tests.stream();
    }

    @Test
    void goldensCoverWhatTheyClaim() throws IOException {
        JsonNode golden = golden();
        assertThat(golden.get("generator").asText()).contains("tokenizers 0.23.2");
        int pairs = 0;
        int padded = 0;
        int truncated = 0;
        for (JsonNode c : golden.get("cases")) {
            pairs += c.get("pair").isNull() ? 0 : 1;
            boolean hasPad = false;
            for (JsonNode m : c.get("attention_mask")) {
                hasPad |= m.asInt() == 0;
            }
            padded += hasPad ? 1 : 0;
            truncated += !c.get("max_length").isNull() && !hasPad ? 1 : 0;
        }
        assertThat(golden.get("cases").size()).isGreaterThan(1000);
        assertThat(pairs).isGreaterThan(100);
        assertThat(padded).isGreaterThan(300);
        assertThat(truncated).isGreaterThan(200);
    }

    /** Checks one case; {@code label} names it in the failure (surefire's report does not show dynamic test names). */
    private static void check(WordPieceTokenizer tokenizer, JsonNode c, String label) {
        String text = c.get("text").asText();
        JsonNode pair = c.get("pair");
        JsonNode max = c.get("max_length");
        Encoding e;
        if (pair.isNull()) {
            e = max.isNull() ? tokenizer.encode(text) : tokenizer.encode(text, max.asInt());
        } else {
            e = max.isNull()
                    ? tokenizer.encodePair(text, pair.asText())
                    : tokenizer.encodePair(text, pair.asText(), max.asInt());
        }
        assertThat(e.tokens()).as("%s: tokens", label).isEqualTo(strings(c.get("tokens")));
        assertThat(e.ids()).as("%s: ids", label).isEqualTo(ints(c.get("ids")));
        assertThat(e.typeIds()).as("%s: type ids", label).isEqualTo(ints(c.get("type_ids")));
        assertThat(e.attentionMask()).as("%s: attention mask", label).isEqualTo(ints(c.get("attention_mask")));
        assertThat(e.specialTokensMask())
                .as("%s: special tokens mask", label)
                .isEqualTo(ints(c.get("special_tokens_mask")));
        int[] starts = new int[e.length()];
        int[] ends = new int[e.length()];
        for (int i = 0; i < e.length(); i++) {
            starts[i] = c.get("offsets").get(i).get(0).asInt();
            ends[i] = c.get("offsets").get(i).get(1).asInt();
        }
        assertThat(e.starts()).as("%s: offset starts", label).isEqualTo(starts);
        assertThat(e.ends()).as("%s: offset ends", label).isEqualTo(ends);
    }

    private static String title(JsonNode c) {
        String text = c.get("text").asText();
        String pair = c.get("pair").isNull() ? "" : " + " + quote(c.get("pair").asText());
        String max = c.get("max_length").isNull()
                ? ""
                : " max " + c.get("max_length").asInt();
        return c.get("tokenizer").asText() + " " + quote(text) + pair + max;
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("'");
        s.codePoints().limit(40).forEach(cp -> {
            if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || Character.getType(cp) == Character.FORMAT) {
                sb.append(String.format("\\u%04x", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return sb.append(s.codePointCount(0, s.length()) > 40 ? "...'" : "'").toString();
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static JsonNode golden() throws IOException {
        return MAPPER.readTree(resource("goldens.json").toFile());
    }

    /** A file of the test resources' text/ folder. */
    static Path resource(String name) {
        try {
            return Path.of(
                    WordPieceGoldenTest.class.getResource("/text/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("text/" + name + " is not on the test classpath", e);
        }
    }

    private interface Loader {
        WordPieceTokenizer load() throws IOException;
    }

    private static WordPieceTokenizer load(Loader loader) {
        try {
            return loader.load();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
