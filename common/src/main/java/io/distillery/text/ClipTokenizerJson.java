package io.distillery.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads the vocabulary and merges of a Hugging Face CLIPTokenizerFast {@code tokenizer.json} (model BPE with
 * {@code end_of_word_suffix} "</w>") and the ids of its {@code <|startoftext|>} and {@code <|endoftext|>}. Its
 * normalizer, pre-tokenizer and post-processor are not read: the text goes through open_clip's pipeline, as it does
 * for a merges file. Anything that is not a CLIP BPE vocabulary is refused naming the file.
 */
final class ClipTokenizerJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path file;

    private ClipTokenizerJson(Path file) {
        this.file = file;
    }

    static ClipTokenizer read(Path file) throws IOException {
        return new ClipTokenizerJson(file).parse();
    }

    private ClipTokenizer parse() throws IOException {
        JsonNode root;
        try {
            root = MAPPER.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            throw fail("not valid JSON" + where + ": " + e.getOriginalMessage().replaceAll("\\s+", " "));
        }
        JsonNode model = root == null ? null : root.get("model");
        if (model == null || !model.isObject()) {
            throw fail("no \"model\" object");
        }
        String type = model.path("type").asText(null);
        if (!"BPE".equals(type)) {
            throw fail("model type '" + type + "' is not supported here (a CLIP tokenizer's model is BPE)");
        }
        String suffix = model.path("end_of_word_suffix").asText(null);
        if (!ClipBpe.END_OF_WORD.equals(suffix)) {
            throw fail("model.end_of_word_suffix is '" + suffix + "', not CLIP's '</w>'");
        }
        String prefix = model.path("continuing_subword_prefix").asText("");
        if (!prefix.isEmpty()) {
            throw fail("model.continuing_subword_prefix is '" + prefix + "'; CLIP has none");
        }
        Map<String, Integer> vocab = vocab(model.get("vocab"));
        for (int b = 0; b < 256; b++) {
            String single = String.valueOf(ByteLevel.inVocabOrder(b));
            for (String token : new String[] {single, single + ClipBpe.END_OF_WORD}) {
                if (!vocab.containsKey(token)) {
                    throw fail("model.vocab lacks the byte token '" + token + "' (not a byte-level vocabulary)");
                }
            }
        }
        Map<String, Integer> ranks = merges(model.get("merges"), vocab);
        JsonNode added = root.path("added_tokens");
        for (JsonNode token : added) {
            if (token.path("content").isTextual() && token.path("id").canConvertToInt()) {
                vocab.put(token.get("content").asText(), token.get("id").intValue());
            }
        }
        for (String special : ClipTokenizer.SPECIALS) {
            if (!vocab.containsKey(special)) {
                throw fail("neither added_tokens nor model.vocab has '" + special + "'");
            }
        }
        return new ClipTokenizer(
                file.toString(), new ClipBpe(ranks, vocab, ClipBpe.DEFAULT_CACHE_LIMIT), ClipTokenizer.SPECIALS, vocab);
    }

    private Map<String, Integer> vocab(JsonNode node) {
        if (node == null || !node.isObject() || node.isEmpty()) {
            throw fail("model.vocab must be a non-empty object mapping tokens to ids");
        }
        Map<String, Integer> vocab = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode id = e.getValue();
            if (!id.isIntegralNumber() || !id.canConvertToInt() || id.intValue() < 0) {
                throw fail("model.vocab maps '" + e.getKey() + "' to " + id + ", not an id (an integer >= 0)");
            }
            vocab.put(e.getKey(), id.intValue());
        }
        return vocab;
    }

    /** "first second" strings (older files) or [first, second] pairs (tokenizers 0.20 on), in rank order; a merge
     * listed twice keeps its last rank, as in the library and open_clip. */
    private Map<String, Integer> merges(JsonNode node, Map<String, Integer> vocab) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw fail("model.merges must be a non-empty array");
        }
        Map<String, Integer> ranks = new HashMap<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode merge = node.get(i);
            String[] pair;
            if (merge.isTextual()) {
                pair = merge.asText().split(" ", -1);
            } else if (merge.isArray()
                    && merge.size() == 2
                    && merge.get(0).isTextual()
                    && merge.get(1).isTextual()) {
                pair = new String[] {merge.get(0).asText(), merge.get(1).asText()};
            } else {
                pair = new String[0];
            }
            if (pair.length != 2) {
                throw fail("model.merges[" + i + "] is " + merge + ", not two symbols");
            }
            for (String token : new String[] {pair[0], pair[1], pair[0] + pair[1]}) {
                if (!vocab.containsKey(token)) {
                    throw fail("model.merges[" + i + "] " + merge + " needs '" + token + "', which model.vocab lacks");
                }
            }
            ranks.put(pair[0] + ' ' + pair[1], i);
        }
        return ranks;
    }

    private TokenizerFormatException fail(String message) {
        return new TokenizerFormatException(file + ": " + message);
    }
}
