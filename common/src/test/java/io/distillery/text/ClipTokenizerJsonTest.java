package io.distillery.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ClipTokenizer#fromTokenizerJson}: a tokenizer.json laid out as transformers' CLIPConverter writes one
 * (vocabulary ids from open_clip's encoder, merges in rank order), built here from the bundled merges file, gives
 * the bundled tokenizer's ids; files that are not a CLIP BPE vocabulary are refused naming the file.
 */
class ClipTokenizerJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static ObjectNode clipJson;
    private static ObjectNode smallJson;

    @TempDir
    Path dir;

    @BeforeAll
    static void buildTokenizerJson() throws IOException {
        String merges;
        try (InputStream in =
                new GZIPInputStream(ClipTokenizer.class.getResourceAsStream("bpe_simple_vocab_16e6.txt.gz"))) {
            merges = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        clipJson = tokenizerJson(Arrays.asList(merges.split("\n")).subList(1, MergesFile.MERGES + 1));
        smallJson = tokenizerJson(List.of("h e", "l l", "he ll", "o o", "hell o</w>", "a b"));
    }

    /** CLIPConverter's layout: ids of open_clip's encoder (bytes, bytes with </w>, merges, specials). */
    private static ObjectNode tokenizerJson(List<String> merges) {
        ObjectNode vocab = MAPPER.createObjectNode();
        int next = 0;
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(ByteLevel.inVocabOrder(b)), next++);
        }
        for (int b = 0; b < 256; b++) {
            vocab.put(ByteLevel.inVocabOrder(b) + "</w>", next++);
        }
        ArrayNode mergeList = MAPPER.createArrayNode();
        for (String merge : merges) {
            vocab.put(merge.replace(" ", ""), next++);
            mergeList.add(merge);
        }
        ObjectNode json = MAPPER.createObjectNode();
        ArrayNode added = json.putArray("added_tokens");
        for (String special : ClipTokenizer.SPECIALS) {
            added.addObject().put("id", next++).put("content", special).put("special", true);
        }
        ObjectNode model = json.putObject("model");
        model.put("type", "BPE").putNull("dropout").put("unk_token", "<|endoftext|>");
        model.put("continuing_subword_prefix", "")
                .put("end_of_word_suffix", "</w>")
                .put("fuse_unk", false);
        model.set("vocab", vocab);
        model.set("merges", mergeList);
        return json;
    }

    @Test
    void givesTheBundledTokenizersIds() throws IOException {
        ClipTokenizer json = ClipTokenizer.fromTokenizerJson(write(clipJson));
        ClipTokenizer bundled = ClipTokenizer.openaiDefault();
        assertThat(json.vocabSize()).isEqualTo(49408);
        assertThat(json.sotId()).isEqualTo(49406);
        assertThat(json.eotId()).isEqualTo(49407);
        for (JsonNode c : ClipTokenizerGoldenTest.goldens().get("cases")) {
            String text = c.get("text").asText();
            assertThat(json.tokenize(text)).as(text).isEqualTo(bundled.tokenize(text));
        }
    }

    @Test
    void idsComeFromTheFilesVocabulary() throws IOException {
        ObjectNode json = smallJson.deepCopy();
        ObjectNode vocab = (ObjectNode) model(json).get("vocab");
        assertThat(ClipTokenizer.fromTokenizerJson(write(json)).encode("Hello")).containsExactly(516);
        vocab.put("hello</w>", 9000); // ids need not follow open_clip's order
        ClipTokenizer t = ClipTokenizer.fromTokenizerJson(write(json));
        assertThat(t.encode("Hello hell")).containsExactly(9000, 512, 'l' - '!', 'l' - '!' + 256);
        assertThat(t.tokenize("hello", 4)).containsExactly(518, 9000, 519, 0);
    }

    @Test
    void mergesAsPairsReadLikeMergesAsStrings() throws IOException {
        ObjectNode json = clipJson.deepCopy();
        ArrayNode pairs = MAPPER.createArrayNode();
        for (JsonNode merge : json.get("model").get("merges")) {
            String[] pair = merge.asText().split(" ");
            pairs.addArray().add(pair[0]).add(pair[1]);
        }
        ((ObjectNode) json.get("model")).set("merges", pairs);
        String text = "Pairs of merges: [\"a\", \"b\"], since tokenizers 0.20!";
        assertThat(ClipTokenizer.fromTokenizerJson(write(json)).tokenize(text))
                .isEqualTo(ClipTokenizer.openaiDefault().tokenize(text));
    }

    @Test
    void otherFilesAreRefusedNamingTheFile() throws IOException {
        assertRefused(
                json -> model(json).put("type", "WordPiece"),
                "model type 'WordPiece' is not supported here (a CLIP tokenizer's model is BPE)");
        assertRefused(
                json -> model(json).remove("end_of_word_suffix"),
                "model.end_of_word_suffix is 'null', not CLIP's '</w>'");
        assertRefused(
                json -> model(json).put("continuing_subword_prefix", "##"),
                "model.continuing_subword_prefix is '##'; CLIP has none");
        assertRefused(
                json -> ((ObjectNode) model(json).get("vocab")).remove("Ā</w>"),
                "model.vocab lacks the byte token 'Ā</w>' (not a byte-level vocabulary)");
        assertRefused(
                json -> ((ArrayNode) model(json).get("merges")).set(3, "q xqxqxqxq"),
                "model.merges[3] \"q xqxqxqxq\" needs 'xqxqxqxq', which model.vocab lacks");
        assertRefused(
                json -> ((ArrayNode) model(json).get("merges")).set(5, "a b c"),
                "model.merges[5] is \"a b c\", not two symbols");
        assertRefused(
                json -> ((ObjectNode) json.get("added_tokens").get(1)).put("content", "<eos>"),
                "neither added_tokens nor model.vocab has '<|endoftext|>'");
        assertRefused(json -> json.remove("model"), "no \"model\" object");
    }

    private static ObjectNode model(ObjectNode json) {
        return (ObjectNode) json.get("model");
    }

    private void assertRefused(Consumer<ObjectNode> edit, String message) throws IOException {
        ObjectNode json = smallJson.deepCopy();
        edit.accept(json);
        Path file = write(json);
        assertThatThrownBy(() -> ClipTokenizer.fromTokenizerJson(file))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessage(file + ": " + message);
    }

    private Path write(JsonNode json) throws IOException {
        return Files.write(Files.createTempFile(dir, "tokenizer", ".json"), MAPPER.writeValueAsBytes(json));
    }
}
