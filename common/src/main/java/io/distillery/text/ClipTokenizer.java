package io.distillery.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * CLIP's tokenizer, id for id what open_clip's {@code tokenize()} (OpenAI CLIP's {@code SimpleTokenizer}) gives,
 * except where open_clip's ftfy would change the text ({@link ClipTextCleaner}): the text is HTML-unescaped,
 * whitespace-normalized and lowercased, split into words, numbers and punctuation runs, and each piece byte-pair
 * encoded; {@code <|startoftext|>} and {@code <|endoftext|>} go around it, and it is cut or zero-padded to the context
 * length, the end-of-text token staying last when cut. Safe to share between threads.
 */
public final class ClipTokenizer {

    /** The context length of every OpenAI CLIP model. */
    public static final int DEFAULT_CONTEXT_LENGTH = 77;
    /** How datasets and exports name the bundled OpenAI vocabulary (in place of a file). */
    public static final String BUNDLED_NAME = "open_clip bpe_simple_vocab_16e6 (bundled)";

    static final String START_OF_TEXT = "<|startoftext|>";
    static final String END_OF_TEXT = "<|endoftext|>";
    static final List<String> SPECIALS = List.of(START_OF_TEXT, END_OF_TEXT);
    private static final String BUNDLED = "bpe_simple_vocab_16e6.txt.gz";

    private final String source;
    private final ClipBpe bpe;
    private final ClipPreTokenizer preTokenizer;
    private final Map<String, Integer> specialIds;
    private final int sotId;
    private final int eotId;
    private final int vocabSize;

    /** {@code specials}: start- and end-of-text, both in {@code vocab}. */
    ClipTokenizer(String source, ClipBpe bpe, List<String> specials, Map<String, Integer> vocab) {
        this.source = source;
        this.bpe = bpe;
        this.preTokenizer = new ClipPreTokenizer(specials);
        this.sotId = vocab.get(specials.get(0));
        this.eotId = vocab.get(specials.get(1));
        this.specialIds = Map.of(specials.get(0), sotId, specials.get(1), eotId);
        this.vocabSize = (int) vocab.values().stream().distinct().count();
    }

    /** OpenAI CLIP's vocabulary (open_clip's {@code bpe_simple_vocab_16e6.txt.gz}, bundled), loaded once. */
    public static ClipTokenizer openaiDefault() {
        return Bundled.INSTANCE;
    }

    /** A merges file in open_clip's format (a header line, then "first second" per line), gzipped or not. */
    public static ClipTokenizer fromMerges(Path mergesFile) throws IOException {
        return MergesFile.tokenizer(Files.readAllBytes(mergesFile), mergesFile.toString(), SPECIALS);
    }

    /**
     * The vocabulary and merges of a Hugging Face CLIPTokenizerFast {@code tokenizer.json} (model BPE, end of word
     * "</w>"), with open_clip's text pipeline; the file's own normalizer and pre-tokenizer are not read. (They
     * differ from open_clip's: NFC instead of HTML unescaping, for one; see docs/text.md.)
     */
    public static ClipTokenizer fromTokenizerJson(Path tokenizerJson) throws IOException {
        return ClipTokenizerJson.read(tokenizerJson);
    }

    /**
     * The ids of {@code text} in {@link #DEFAULT_CONTEXT_LENGTH} slots: start-of-text, the text's tokens,
     * end-of-text, zeros.
     */
    public int[] tokenize(String text) {
        return tokenize(text, DEFAULT_CONTEXT_LENGTH);
    }

    /**
     * The ids of {@code text} in exactly {@code contextLength} slots: start-of-text, the text's tokens, end-of-text,
     * then zeros; a text too long is cut, and its last slot made end-of-text (so with {@code contextLength} 1, the
     * only id is end-of-text, as in open_clip).
     */
    public int[] tokenize(String text, int contextLength) {
        if (contextLength < 1) {
            throw new IllegalArgumentException("contextLength must be at least 1 but is " + contextLength);
        }
        int[] ids = new int[contextLength];
        int[] tokens = encode(text);
        ids[0] = sotId;
        int kept = Math.min(tokens.length, contextLength - 1);
        System.arraycopy(tokens, 0, ids, 1, Math.max(kept, 0));
        ids[Math.min(tokens.length + 1, contextLength - 1)] = eotId;
        return ids;
    }

    /** {@link #tokenize(String, int)} of each text: one row per text. */
    public int[][] tokenize(List<String> texts, int contextLength) {
        int[][] rows = new int[texts.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = tokenize(texts.get(i), contextLength);
        }
        return rows;
    }

    /** The text's token ids without start- and end-of-text, neither cut nor padded (open_clip's {@code encode}). */
    public int[] encode(String text) {
        Objects.requireNonNull(text, "text");
        checkNoLoneSurrogate(text);
        CodePoints ids = new CodePoints(text.length());
        preTokenizer.split(ClipTextCleaner.clean(text), (cps, start, end) -> {
            Integer special = specialIds.get(new String(cps, start, end - start));
            if (special != null) {
                ids.add(special);
            } else {
                ids.add(bpe.encode(ByteLevel.encode(cps, start, end)));
            }
        });
        return ids.toArray();
    }

    /**
     * The attention mask of a row of {@link #tokenize} ids: 1 from the first slot through the end-of-text token, 0
     * on the padding after it. End-of-text is found as open_clip pools the text, at the first maximal id (it is the
     * highest id of CLIP's vocabularies), so a row needs no tokenizer to be masked, and an id 0 inside the text
     * (CLIP's "!") is not taken for padding.
     */
    public static int[] attentionMask(int[] ids) {
        int end = 0;
        for (int t = 1; t < ids.length; t++) {
            if (ids[t] > ids[end]) {
                end = t;
            }
        }
        int[] mask = new int[ids.length];
        java.util.Arrays.fill(mask, 0, end + 1, 1);
        return mask;
    }

    public int sotId() {
        return sotId;
    }

    public int eotId() {
        return eotId;
    }

    /** Number of ids: 49408 for OpenAI CLIP's vocabulary. */
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public String toString() {
        return "ClipTokenizer(" + source + ", " + vocabSize + " tokens)";
    }

    /** Python cannot encode a lone surrogate in UTF-8 either: open_clip fails on such text too. */
    private static void checkNoLoneSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(
                        "text has a lone surrogate (U+" + Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT)
                                + ") at index " + i + ", which UTF-8 cannot encode");
            }
        }
    }

    /** Loaded on first use. */
    private static final class Bundled {
        static final ClipTokenizer INSTANCE = load();

        private static ClipTokenizer load() {
            try (InputStream in = ClipTokenizer.class.getResourceAsStream(BUNDLED)) {
                if (in == null) {
                    throw new IllegalStateException(BUNDLED + " is missing from the classpath (io/distillery/text)");
                }
                return MergesFile.tokenizer(in.readAllBytes(), BUNDLED, SPECIALS);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + BUNDLED, e);
            }
        }
    }
}
