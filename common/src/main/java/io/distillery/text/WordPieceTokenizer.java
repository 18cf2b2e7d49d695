package io.distillery.text;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * BERT's tokenizer, token for token what Hugging Face tokenizers (and so transformers' BertTokenizerFast) produce:
 * added tokens such as [MASK] are cut out of the raw text, the rest is normalized ({@link BertNormalizer}), split
 * into words at whitespace and punctuation, and each word into WordPiece pieces; then [CLS] and [SEP] are put around
 * it, and with a maximum length it is truncated (a pair longest-first, like the library's default) and padded.
 * Immutable and safe to share between threads.
 */
public final class WordPieceTokenizer {

    private final String source;
    private final BertNormalizer normalizer; // null: the text is used as it is
    private final WordPieceModel model;
    private final AddedVocabulary added;
    private final Template template;
    private final String padToken;
    private final int padId;
    private final int padTypeId;
    private final Map<String, Integer> addedIds = new HashMap<>();
    private final Map<Integer, String> tokensById = new HashMap<>();

    WordPieceTokenizer(
            String source,
            BertNormalizer normalizer,
            WordPieceModel model,
            List<AddedToken> addedTokens,
            Template template,
            String padToken,
            int padId,
            int padTypeId) {
        this.source = source;
        this.normalizer = normalizer;
        this.model = model;
        this.added = new AddedVocabulary(addedTokens, normalizer);
        this.template = template;
        this.padToken = padToken;
        this.padId = padId;
        this.padTypeId = padTypeId;
        model.vocab().forEach((token, id) -> tokensById.put(id, token));
        for (AddedToken t : addedTokens) {
            addedIds.put(t.content(), t.id());
            tokensById.put(t.id(), t.content());
        }
    }

    /**
     * A BERT vocabulary file, one token per line (its id is the line number, from 0), as transformers'
     * BertTokenizerFast would use it: clean text, split CJK characters, strip accents and lowercase when
     * {@code lowercase}, [CLS]/[SEP] template. The file must hold [UNK], [CLS], [SEP] and [PAD].
     */
    public static WordPieceTokenizer fromVocab(Path vocabTxt, boolean lowercase) throws IOException {
        return VocabFile.tokenizer(vocabTxt, lowercase);
    }

    /**
     * A Hugging Face {@code tokenizer.json} with a WordPiece model, a BertNormalizer (or none), the BertPreTokenizer
     * and a TemplateProcessing or BertProcessing post-processor (or none). Of its {@code truncation} and {@code
     * padding} settings only the padding token, id and type id are used: pass the maximum length to {@link
     * #encode(String, int)}.
     */
    public static WordPieceTokenizer fromTokenizerJson(Path tokenizerJson) throws IOException {
        return TokenizerJson.read(tokenizerJson);
    }

    /** The text with its special tokens, neither truncated nor padded. */
    public Encoding encode(String text) {
        return assemble(template.single(), pieces(text), List.of(), -1);
    }

    /**
     * The text with its special tokens, cut to at most {@code maxLength} tokens (special tokens kept) and padded to
     * exactly {@code maxLength}.
     */
    public Encoding encode(String text, int maxLength) {
        List<Piece> a = pieces(text);
        int room = room(maxLength, false);
        return assemble(template.single(), a.size() > room ? a.subList(0, room) : a, List.of(), maxLength);
    }

    /** A pair of texts ([CLS] a [SEP] b [SEP], type ids 0 then 1), neither truncated nor padded. */
    public Encoding encodePair(String first, String second) {
        return assemble(template.pair(), pieces(first), pieces(second), -1);
    }

    /**
     * A pair of texts cut longest-first to at most {@code maxLength} tokens (tokens come off the longer text; when
     * both are long each keeps half) and padded to exactly {@code maxLength}.
     */
    public Encoding encodePair(String first, String second, int maxLength) {
        List<Piece> a = pieces(first);
        List<Piece> b = pieces(second);
        int room = room(maxLength, true);
        if (a.size() + b.size() > room) {
            // the library's LongestFirst, computed on the shorter (n1) and the longer (n2) sequence
            int n1 = Math.min(a.size(), b.size());
            int n2 = n1 > room ? n1 : Math.max(n1, room - n1);
            if (n1 + n2 > room) {
                n1 = room / 2;
                n2 = n1 + room % 2;
            }
            boolean firstLonger = a.size() > b.size();
            int keepA = firstLonger ? n2 : n1;
            int keepB = firstLonger ? n1 : n2;
            a = a.subList(0, Math.min(keepA, a.size()));
            b = b.subList(0, Math.min(keepB, b.size()));
        }
        return assemble(template.pair(), a, b, maxLength);
    }

    /** The id of a token (an added token's first, as the library does), if the vocabulary has it. */
    public OptionalInt tokenToId(String token) {
        Integer id = addedIds.get(token);
        if (id == null) {
            id = model.vocab().get(token);
        }
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    public Optional<String> idToToken(int id) {
        return Optional.ofNullable(tokensById.get(id));
    }

    /** Number of distinct ids (the model's vocabulary and the added tokens). */
    public int vocabSize() {
        return tokensById.size();
    }

    public int padId() {
        return padId;
    }

    @Override
    public String toString() {
        return "WordPieceTokenizer(" + source + ", " + tokensById.size() + " tokens, "
                + (normalizer == null ? "no normalizer" : normalizer) + ")";
    }

    private int room(int maxLength, boolean isPair) {
        int specials = template.added(isPair);
        if (maxLength < specials) {
            throw new IllegalArgumentException("maxLength " + maxLength + " is less than the " + specials
                    + " special tokens the template adds " + (isPair ? "to a pair" : "to a sequence"));
        }
        return maxLength - specials;
    }

    /** The text's tokens before post-processing. */
    private List<Piece> pieces(String text) {
        Objects.requireNonNull(text, "text");
        List<Piece> out = new ArrayList<>();
        if (!added.hasRaw()) {
            normalizedPieces(text, 0, text.length(), out);
            return out;
        }
        int[] cps = text.codePoints().toArray();
        int[] utf16 = new int[cps.length + 1];
        for (int i = 0; i < cps.length; i++) {
            utf16[i + 1] = utf16[i] + Character.charCount(cps[i]);
        }
        for (AddedVocabulary.Split s : added.splitRaw(cps, 0, cps.length)) {
            int from = utf16[s.start()];
            int to = utf16[s.end()];
            if (s.token() != null) {
                out.add(new Piece(s.token().id(), text.substring(from, to), from, to));
            } else {
                normalizedPieces(text, from, to, out);
            }
        }
        return out;
    }

    private void normalizedPieces(String text, int from, int to, List<Piece> out) {
        NormalizedText n =
                normalizer == null ? NormalizedText.of(text, from, to) : normalizer.normalize(text, from, to);
        if (!added.hasNormalized()) {
            BertPreTokenizer.split(n, 0, n.size(), model, out);
            return;
        }
        for (AddedVocabulary.Split s : added.splitNormalized(n.codePoints(), 0, n.size())) {
            if (s.token() != null) {
                String value = n.substring(s.start(), s.end());
                out.add(new Piece(s.token().id(), value, n.start(s.start()), n.end(s.end() - 1)));
            } else {
                BertPreTokenizer.split(n, s.start(), s.end(), model, out);
            }
        }
    }

    /** Applies the template to the sequences and pads to {@code padTo} (none when negative). */
    private Encoding assemble(List<Template.Item> items, List<Piece> a, List<Piece> b, int padTo) {
        int n = 0;
        for (Template.Item item : items) {
            n += item.sequence() < 0 ? item.ids().size() : (item.sequence() == 0 ? a : b).size();
        }
        int length = Math.max(n, padTo);
        int[] ids = new int[length];
        int[] typeIds = new int[length];
        int[] attention = new int[length];
        int[] special = new int[length];
        int[] starts = new int[length];
        int[] ends = new int[length];
        List<String> tokens = new ArrayList<>(length);
        int k = 0;
        for (Template.Item item : items) {
            if (item.sequence() < 0) {
                for (int j = 0; j < item.ids().size(); j++, k++) {
                    ids[k] = item.ids().get(j);
                    tokens.add(item.tokens().get(j));
                    typeIds[k] = item.typeId();
                    attention[k] = 1;
                    special[k] = 1;
                }
            } else {
                for (Piece p : item.sequence() == 0 ? a : b) {
                    ids[k] = p.id();
                    tokens.add(p.token());
                    typeIds[k] = item.typeId();
                    attention[k] = 1;
                    starts[k] = p.start();
                    ends[k] = p.end();
                    k++;
                }
            }
        }
        for (; k < length; k++) {
            ids[k] = padId;
            typeIds[k] = padTypeId;
            tokens.add(padToken);
            special[k] = 1;
        }
        return new Encoding(ids, typeIds, attention, special, tokens, starts, ends);
    }
}
