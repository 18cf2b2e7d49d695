package io.distillery.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API around the golden-tested ids: context length, loading and its errors, sharing between threads. */
class ClipTokenizerTest {

    private static final ClipTokenizer CLIP = ClipTokenizer.openaiDefault();

    @TempDir
    Path dir;

    @Test
    void shortTextIsFramedAndZeroPadded() {
        int[] tokens = CLIP.encode("a photo of a cat");
        assertThat(tokens).hasSize(5);
        int[] ids = CLIP.tokenize("a photo of a cat");
        assertThat(ids).hasSize(ClipTokenizer.DEFAULT_CONTEXT_LENGTH);
        assertThat(ids[0]).isEqualTo(CLIP.sotId());
        assertThat(Arrays.copyOfRange(ids, 1, 6)).isEqualTo(tokens);
        assertThat(ids[6]).isEqualTo(CLIP.eotId());
        assertThat(Arrays.copyOfRange(ids, 7, ids.length)).containsOnly(0);
    }

    @Test
    void attentionMaskRunsThroughEndOfTextNotToTheFirstZero() {
        int[] ids = CLIP.tokenize("a photo of a cat", 12);
        assertThat(ClipTokenizer.attentionMask(ids)).containsExactly(1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0);
        // id 0 is a real token (the byte "!"), so a 0 inside the text is not where the padding starts
        int[] withZero = {CLIP.sotId(), 320, 0, 1929, CLIP.eotId(), 0, 0};
        assertThat(ClipTokenizer.attentionMask(withZero)).containsExactly(1, 1, 1, 1, 1, 0, 0);
        assertThat(ClipTokenizer.attentionMask(CLIP.tokenize("cat", 3))).containsExactly(1, 1, 1);
    }

    @Test
    void longTextIsCutWithEndOfTextLast() {
        String text = "the quick brown fox jumps over the lazy dog ".repeat(12);
        int[] tokens = CLIP.encode(text);
        assertThat(tokens.length).isGreaterThan(100);
        for (int length : new int[] {1, 2, 3, 8, 77, tokens.length + 1, tokens.length + 2, tokens.length + 3}) {
            int[] ids = CLIP.tokenize(text, length);
            assertThat(ids).as("length %d", length).hasSize(length);
            assertThat(ids[Math.min(tokens.length + 1, length - 1)]).isEqualTo(CLIP.eotId());
            if (length > 1) {
                assertThat(ids[0]).isEqualTo(CLIP.sotId());
                int kept = Math.min(tokens.length, length - 2);
                assertThat(Arrays.copyOfRange(ids, 1, kept + 1)).isEqualTo(Arrays.copyOf(tokens, kept));
            }
        }
        assertThat(CLIP.tokenize(text, tokens.length + 3)[tokens.length + 2]).isZero();
    }

    @Test
    void batchIsOneRowPerText() {
        List<String> texts = List.of("a dog", "", "two cats on a sofa");
        int[][] rows = CLIP.tokenize(texts, 10);
        assertThat(rows).hasDimensions(3, 10);
        for (int i = 0; i < texts.size(); i++) {
            assertThat(rows[i]).isEqualTo(CLIP.tokenize(texts.get(i), 10));
        }
        assertThat(rows[1]).startsWith(CLIP.sotId(), CLIP.eotId(), 0);
    }

    @Test
    void badContextLengthAndLoneSurrogatesAreRefused() {
        assertThatThrownBy(() -> CLIP.tokenize("a", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("contextLength must be at least 1 but is 0");
        assertThatThrownBy(() -> CLIP.tokenize("ab\uD800c"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("text has a lone surrogate (U+D800) at index 2, which UTF-8 cannot encode");
        assertThat(CLIP.encode("\uD83D\uDE00")).isNotEmpty(); // a pair is fine
    }

    @Test
    void mergesFileGzippedOrPlainGivesTheBundledTokenizer() throws IOException {
        byte[] plain = bundledMerges();
        Path gz = dir.resolve("merges.txt.gz");
        try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(plain);
        }
        Path txt = Files.write(dir.resolve("merges.txt"), plain);
        for (Path file : List.of(gz, txt)) {
            ClipTokenizer t = ClipTokenizer.fromMerges(file);
            assertThat(t.vocabSize()).isEqualTo(CLIP.vocabSize());
            assertThat(t.toString()).isEqualTo("ClipTokenizer(" + file + ", 49408 tokens)");
            String text = "Distillery's CLIP teacher reads 2 captions: «café» & 日本語 😀";
            assertThat(t.tokenize(text)).isEqualTo(CLIP.tokenize(text));
        }
    }

    @Test
    void smallMergesFileBuildsItsVocabularyInOrder() throws IOException {
        // ids: 256 bytes, 256 bytes with </w>, one per merge, then <|startoftext|> and <|endoftext|>
        Path file = write("#version: 0.2\nh e\nl l\nhe ll\no</w> o\nhell o</w>\n");
        ClipTokenizer t = ClipTokenizer.fromMerges(file);
        assertThat(t.vocabSize()).isEqualTo(512 + 5 + 2);
        assertThat(t.sotId()).isEqualTo(517);
        assertThat(t.eotId()).isEqualTo(518);
        assertThat(t.encode("Hello")).containsExactly(516); // hell + o</w>
        // "l l" does not apply to the word end l</w>; the byte characters from '!' on come first, in order
        assertThat(t.encode("hell")).containsExactly(512, 'l' - '!', 'l' - '!' + 256);
        assertThat(t.encode("<|endoftext|>")).containsExactly(518);
    }

    @Test
    void malformedMergesFilesNameFileAndLine() throws IOException {
        assertRefused(
                "#version\nh e\nthree sym bols\n",
                ", line 3: a merge is two symbols separated by a space," + " not 'three sym bols'");
        assertRefused("#version\nh e\n\nl l\n", ", line 3: a merge is two symbols separated by a space, not ''");
        assertRefused(
                "#version\nh e\nhe x\nhx yz\n",
                ", line 4: 'hx' is neither a byte character nor made by an earlier merge");
        assertRefused("#version\n", ": no merges after the header line");
        Path notUtf8 = dir.resolve("latin1.txt");
        Files.write(notUtf8, new byte[] {'#', '\n', (byte) 0xE9, ' ', 'a', '\n'});
        assertThatThrownBy(() -> ClipTokenizer.fromMerges(notUtf8))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessage(notUtf8 + ": not valid UTF-8");
        Path cut = dir.resolve("cut.gz");
        Files.write(cut, Arrays.copyOf(Files.readAllBytes(gzip("#version\nh e\n")), 20));
        assertThatThrownBy(() -> ClipTokenizer.fromMerges(cut))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessageStartingWith(cut + ": broken gzip data: ");
    }

    @Test
    void twoThreadsGetWhatOneThreadGets() throws Exception {
        List<String> texts = new ArrayList<>();
        for (JsonNode c : ClipTokenizerGoldenTest.goldens().get("cases")) {
            texts.add(c.get("text").asText());
        }
        List<int[]> expected = new ArrayList<>();
        for (String text : texts) {
            expected.add(CLIP.tokenize(text));
        }
        // a fresh tokenizer with a tiny cache: the threads fill and empty it under each other
        ClipTokenizer shared =
                MergesFile.tokenizer(bundledMerges(), "bundled", List.of("<|startoftext|>", "<|endoftext|>"), 16);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<int[]>>> results = new ArrayList<>();
            for (int thread = 0; thread < 2; thread++) {
                boolean reversed = thread == 1;
                results.add(pool.submit(() -> {
                    List<int[]> out = new ArrayList<>();
                    for (int i = 0; i < texts.size(); i++) {
                        out.add(shared.tokenize(texts.get(reversed ? texts.size() - 1 - i : i)));
                    }
                    return out;
                }));
            }
            List<int[]> forward = results.get(0).get();
            List<int[]> backward = results.get(1).get();
            for (int i = 0; i < texts.size(); i++) {
                assertThat(forward.get(i)).as(texts.get(i)).isEqualTo(expected.get(i));
                assertThat(backward.get(texts.size() - 1 - i)).as(texts.get(i)).isEqualTo(expected.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void assertRefused(String content, String message) throws IOException {
        Path file = write(content);
        assertThatThrownBy(() -> ClipTokenizer.fromMerges(file))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessage(file + message);
        Path gz = gzip(content);
        assertThatThrownBy(() -> ClipTokenizer.fromMerges(gz))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessage(gz + message);
    }

    private Path write(String content) throws IOException {
        return Files.writeString(Files.createTempFile(dir, "merges", ".txt"), content, StandardCharsets.UTF_8);
    }

    private Path gzip(String content) throws IOException {
        Path file = Files.createTempFile(dir, "merges", ".txt.gz");
        try (GZIPOutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }

    private static byte[] bundledMerges() throws IOException {
        try (InputStream in =
                new GZIPInputStream(ClipTokenizer.class.getResourceAsStream("bpe_simple_vocab_16e6.txt.gz"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }
}
