package io.distillery.text;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reads a CLIP merges file (open_clip's {@code bpe_simple_vocab_16e6.txt.gz}, gzip or plain UTF-8) and builds the
 * vocabulary the way {@code SimpleTokenizer} does: the 256 byte characters, the same with {@code </w>}, one token per
 * merge, then the special tokens. The first line is a header; only the first {@value #MERGES} merges are used
 * (open_clip's {@code merges[1:49152-256-2+1]}): with the 512 byte tokens and the two special tokens, CLIP's 49408
 * ids. Each merge must join two tokens that exist by then; a bad line is reported with its number.
 */
final class MergesFile {

    /** open_clip's {@code merges[1:49152-256-2+1]}. */
    static final int MERGES = 49152 - 256 - 2;

    private MergesFile() {}

    /** The tokenizer of the merges file's bytes; {@code name} is what errors call the file. */
    static ClipTokenizer tokenizer(byte[] content, String name, List<String> specials) throws IOException {
        return tokenizer(content, name, specials, ClipBpe.DEFAULT_CACHE_LIMIT);
    }

    /** As above, with at most {@code cacheLimit} words in the BPE cache. */
    static ClipTokenizer tokenizer(byte[] content, String name, List<String> specials, int cacheLimit)
            throws IOException {
        String text = decode(unzipIfGzip(content, name), name);
        Map<String, Integer> vocab = new HashMap<>();
        int next = 0;
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(ByteLevel.inVocabOrder(b)), next++);
        }
        for (int b = 0; b < 256; b++) {
            vocab.put(ByteLevel.inVocabOrder(b) + ClipBpe.END_OF_WORD, next++);
        }
        Map<String, Integer> ranks = new HashMap<>();
        int start = text.indexOf('\n') + 1; // past the header
        for (int line = 2; start > 0 && start < text.length() && ranks.size() < MERGES; line++) {
            int newline = text.indexOf('\n', start);
            String merge = text.substring(start, newline < 0 ? text.length() : newline);
            start = newline + 1; // 0 after the last line
            String[] pair = merge.trim().split("\\s+");
            if (pair.length != 2 || pair[0].isEmpty()) {
                throw new TokenizerFormatException(name + ", line " + line
                        + ": a merge is two symbols separated by a space, not '" + merge.strip() + "'");
            }
            for (String symbol : pair) {
                if (!vocab.containsKey(symbol)) {
                    throw new TokenizerFormatException(name + ", line " + line + ": '" + symbol
                            + "' is neither a byte character nor made by an earlier merge");
                }
            }
            ranks.put(pair[0] + ' ' + pair[1], line - 2);
            vocab.put(pair[0] + pair[1], next++);
        }
        if (ranks.isEmpty()) {
            throw new TokenizerFormatException(name + ": no merges after the header line");
        }
        for (String special : specials) {
            vocab.put(special, next++);
        }
        return new ClipTokenizer(name, new ClipBpe(ranks, vocab, cacheLimit), specials, vocab);
    }

    private static byte[] unzipIfGzip(byte[] content, String name) throws IOException {
        if (content.length < 2 || (content[0] & 0xFF) != 0x1F || (content[1] & 0xFF) != 0x8B) {
            return content;
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(content))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new TokenizerFormatException(name + ": broken gzip data: " + e.getMessage(), e);
        }
    }

    private static String decode(byte[] bytes, String name) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new TokenizerFormatException(name + ": not valid UTF-8", e);
        }
    }
}
