package io.distillery.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API around the golden-tested pipeline: loading, its error messages, and the vocab.txt reading rules. */
class WordPieceTokenizerTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void vocabTxtReadsLikeTheLibrary() throws IOException {
        // CRLF and trailing blanks are trimmed, an empty line still takes an id, a repeated token keeps its last id
        // (checked against WordPiece.fromFile of tokenizers 0.23.2)
        Path vocab = write("vocab.txt", "[PAD]\r\n[UNK]  \n[CLS]\n[SEP]\n\nhello\nworld\nhello\n");
        WordPieceTokenizer t = WordPieceTokenizer.fromVocab(vocab, true);
        assertThat(t.tokenToId("[UNK]")).isEqualTo(OptionalInt.of(1));
        assertThat(t.tokenToId("")).isEqualTo(OptionalInt.of(4));
        assertThat(t.tokenToId("hello")).isEqualTo(OptionalInt.of(7));
        assertThat(t.idToToken(5)).isEmpty();
        assertThat(t.idToToken(6)).contains("world");
        assertThat(t.padId()).isZero();
        Encoding e = t.encode("Hello WORLD [MASK]", 6);
        assertThat(e.tokens()).containsExactly("[CLS]", "hello", "world", "[UNK]", "[UNK]", "[SEP]"); // no [MASK] here
        assertThat(e.ids()).containsExactly(2, 7, 6, 1, 1, 3);
    }

    @Test
    void encodingHandsOutCopies() throws IOException {
        WordPieceTokenizer t = WordPieceTokenizer.fromVocab(WordPieceGoldenTest.resource("vocab.txt"), true);
        Encoding e = t.encode("hello world", 8);
        e.ids()[1] = -1;
        e.attentionMask()[0] = 7;
        assertThat(e.ids()[1]).isEqualTo(t.tokenToId("hello").orElseThrow());
        assertThat(e.attentionMask()).containsExactly(1, 1, 1, 1, 0, 0, 0, 0);
        assertThat(e.length()).isEqualTo(8);
    }

    @Test
    void loneSurrogatesReadAsReplacementCharacter() throws IOException {
        // UTF-8 cannot hold a lone surrogate; like any encoder, the tokenizer reads it as U+FFFD, which clean_text
        // drops
        WordPieceTokenizer t = WordPieceTokenizer.fromVocab(WordPieceGoldenTest.resource("vocab.txt"), true);
        Encoding e = t.encode("hel\uD800lo \uDC00");
        assertThat(e.tokens()).containsExactly("[CLS]", "hello", "[SEP]");
        assertThat(e.starts()).containsExactly(0, 0, 0);
        assertThat(e.ends()).containsExactly(0, 6, 0);
    }

    @Test
    void maxLengthMustLeaveRoomForTheSpecialTokens() throws IOException {
        WordPieceTokenizer t = WordPieceTokenizer.fromVocab(WordPieceGoldenTest.resource("vocab.txt"), true);
        assertThat(t.encode("hello world", 2).tokens()).containsExactly("[CLS]", "[SEP]");
        assertThat(t.encodePair("a", "b", 3).tokens()).containsExactly("[CLS]", "[SEP]", "[SEP]");
        assertThatThrownBy(() -> t.encode("hello", 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxLength 1 is less than the 2 special tokens the template adds to a sequence");
        assertThatThrownBy(() -> t.encodePair("a", "b", 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxLength 2 is less than the 3 special tokens the template adds to a pair");
    }

    @Test
    void vocabWithoutUnkIsRefusedNamingTheFile() throws IOException {
        Path vocab = write("vocab.txt", "[PAD]\n[CLS]\n[SEP]\nhello\n");
        assertThatThrownBy(() -> WordPieceTokenizer.fromVocab(vocab, true))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessage(vocab + ": no [UNK] token (a BERT vocabulary has [PAD], [UNK], [CLS], [SEP])");
    }

    @Test
    void vocabThatIsNotUtf8IsRefused() throws IOException {
        Path vocab = dir.resolve("vocab.txt");
        Files.write(vocab, new byte[] {'[', 'U', 'N', 'K', ']', '\n', (byte) 0xC3, '\n'});
        assertThatThrownBy(() -> WordPieceTokenizer.fromVocab(vocab, true))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessage(vocab + ": not valid UTF-8");
    }

    @Test
    void tokenizerJsonProblemsAreOneLineNamingTheFile() throws IOException {
        assertRefused(
                json -> ((ObjectNode) json.get("model")).put("type", "BPE"),
                "model type 'BPE' is not supported (only WordPiece, BERT's model)");
        assertRefused(
                json -> ((ObjectNode) json.get("model").get("vocab")).remove("[UNK]"),
                "the unk_token '[UNK]' is not in model.vocab");
        assertRefused(
                json -> ((ObjectNode) json.get("model").get("vocab")).put("hello", "x"),
                "model.vocab maps 'hello' to \"x\", not an id (an integer >= 0)");
        assertRefused(
                json -> ((ObjectNode) json.get("normalizer")).put("type", "Sequence"),
                "normalizer 'Sequence' is not supported (only BertNormalizer, or null)");
        assertRefused(
                json -> ((ObjectNode) json.get("normalizer")).put("lowercase", "yes"),
                "normalizer.lowercase must be true or false but is \"yes\"");
        assertRefused(
                json -> json.putNull("pre_tokenizer"), "pre_tokenizer 'null' is not supported (only BertPreTokenizer)");
        assertRefused(
                json -> ((ObjectNode) json.get("post_processor")).put("type", "RobertaProcessing"),
                "post_processor 'RobertaProcessing' is not supported (TemplateProcessing, BertProcessing or null)");
        assertRefused(
                json -> ((ObjectNode) json.get("post_processor").get("special_tokens")).remove("[SEP]"),
                "post_processor.single uses the special token '[SEP]', which special_tokens does not define");
        assertRefused(json -> json.remove("model"), "no \"model\" object");
    }

    @Test
    void paddingSettingsOfTokenizerJsonNameThePadToken() throws IOException {
        ObjectNode json = (ObjectNode) MAPPER.readTree(
                WordPieceGoldenTest.resource("tokenizer-uncased.json").toFile());
        json.putObject("padding").put("pad_token", "[MASK]").put("pad_id", 8).put("pad_type_id", 1);
        WordPieceTokenizer t =
                WordPieceTokenizer.fromTokenizerJson(write("tokenizer.json", MAPPER.writeValueAsString(json)));
        Encoding e = t.encode("hello", 5);
        assertThat(e.tokens()).containsExactly("[CLS]", "hello", "[SEP]", "[MASK]", "[MASK]");
        assertThat(e.ids()).endsWith(8, 8);
        assertThat(e.typeIds()).containsExactly(0, 0, 0, 1, 1);
        assertThat(t.padId()).isEqualTo(8);
    }

    @Test
    void brokenJsonIsReportedWithItsPosition() throws IOException {
        Path file = write("tokenizer.json", "{\n  \"model\": {\"type\": \"WordPiece\",\n  }\n}\n");
        assertThatThrownBy(() -> WordPieceTokenizer.fromTokenizerJson(file))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessageStartingWith(file + ": not valid JSON at line 3, column 4: ")
                .hasMessageNotContaining("\n");
    }

    @Test
    void tokenizerJsonAndVocabTxtAgree() throws IOException {
        WordPieceTokenizer json =
                WordPieceTokenizer.fromTokenizerJson(WordPieceGoldenTest.resource("tokenizer-uncased.json"));
        WordPieceTokenizer txt = WordPieceTokenizer.fromVocab(WordPieceGoldenTest.resource("vocab.txt"), true);
        assertThat(json.vocabSize()).isEqualTo(txt.vocabSize());
        for (int id = 0; id < txt.vocabSize(); id++) {
            assertThat(json.idToToken(id)).isEqualTo(txt.idToToken(id));
        }
        assertThat(json.toString()).contains("tokenizer-uncased.json").contains("lowercase=true");
    }

    private interface Edit {
        void apply(ObjectNode json);
    }

    private void assertRefused(Edit edit, String message) throws IOException {
        ObjectNode json = (ObjectNode) MAPPER.readTree(
                WordPieceGoldenTest.resource("tokenizer-uncased.json").toFile());
        edit.apply(json);
        Path file = write("tokenizer.json", MAPPER.writeValueAsString(json));
        assertThatThrownBy(() -> WordPieceTokenizer.fromTokenizerJson(file))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessage(file + ": " + message);
    }

    private Path write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }
}
