package io.distillery.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the parts of a Hugging Face {@code tokenizer.json} a BERT tokenizer has, with the library's defaults for
 * missing fields, and refuses anything else (another model, normalizer, pre-tokenizer or post-processor) with a
 * one-line {@link TokenizerFormatException} naming the file: a tokenizer that silently did something else would
 * feed a model wrong ids.
 */
final class TokenizerJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path file;

    private TokenizerJson(Path file) {
        this.file = file;
    }

    static WordPieceTokenizer read(Path file) throws IOException {
        return new TokenizerJson(file).parse();
    }

    private WordPieceTokenizer parse() throws IOException {
        JsonNode root;
        try {
            root = MAPPER.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null
                    ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                            + e.getLocation().getColumnNr();
            throw fail("not valid JSON" + where + ": " + oneLine(e.getOriginalMessage()), e);
        }
        if (root == null || !root.isObject()) {
            throw fail("not a tokenizer.json (the top level must be a JSON object)");
        }
        JsonNode model = root.get("model");
        if (model == null || !model.isObject()) {
            throw fail("no \"model\" object");
        }
        String type = text(model, "model.type", null);
        if (!"WordPiece".equals(type)) {
            throw fail("model type '" + type + "' is not supported (only WordPiece, BERT's model)");
        }
        Map<String, Integer> vocab = vocab(model.get("vocab"));
        String unk = text(model, "model.unk_token", "[UNK]");
        if (!vocab.containsKey(unk)) {
            throw fail("the unk_token '" + unk + "' is not in model.vocab");
        }
        String prefix = text(model, "model.continuing_subword_prefix", "##");
        int maxChars = integer(model, "model.max_input_chars_per_word", 100);
        if (maxChars < 1) {
            throw fail("model.max_input_chars_per_word must be positive but is " + maxChars);
        }
        WordPieceModel wordPiece = new WordPieceModel(vocab, unk, prefix, maxChars);

        BertNormalizer normalizer = normalizer(root.get("normalizer"));
        JsonNode pre = root.get("pre_tokenizer");
        String preType = pre == null || pre.isNull() ? null : text(pre, "pre_tokenizer.type", null);
        if (!"BertPreTokenizer".equals(preType)) {
            throw fail("pre_tokenizer '" + preType + "' is not supported (only BertPreTokenizer)");
        }
        List<AddedToken> added = addedTokens(root.get("added_tokens"), vocab);
        Template template = template(root.get("post_processor"));

        Map<String, Integer> ids = new HashMap<>(vocab);
        added.forEach(t -> ids.put(t.content(), t.id()));
        String padToken = VocabFile.PAD;
        int padId;
        int padTypeId = 0;
        JsonNode padding = root.get("padding");
        if (padding != null && padding.isObject()) {
            padToken = text(padding, "padding.pad_token", padToken);
            padId = integer(padding, "padding.pad_id", ids.getOrDefault(padToken, -1));
            padTypeId = integer(padding, "padding.pad_type_id", 0);
        } else {
            padId = ids.getOrDefault(padToken, -1);
        }
        if (padId < 0) {
            throw fail("no " + padToken + " token to pad with (not in the vocabulary, no \"padding\" settings)");
        }
        return new WordPieceTokenizer(
                file.toString(), normalizer, wordPiece, added, template, padToken, padId, padTypeId);
    }

    private Map<String, Integer> vocab(JsonNode node) {
        if (node == null || !node.isObject() || node.isEmpty()) {
            throw fail("model.vocab must be a non-empty object mapping tokens to ids");
        }
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode id = e.getValue();
            if (!id.canConvertToInt() || !id.isIntegralNumber() || id.intValue() < 0) {
                throw fail("model.vocab maps '" + oneLine(e.getKey()) + "' to " + id + ", not an id (an integer >= 0)");
            }
            vocab.put(e.getKey(), id.intValue());
        }
        return vocab;
    }

    private BertNormalizer normalizer(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        String type = text(node, "normalizer.type", null);
        if (!"BertNormalizer".equals(type)) {
            throw fail("normalizer '" + type + "' is not supported (only BertNormalizer, or null)");
        }
        boolean lowercase = bool(node, "normalizer.lowercase", true);
        JsonNode strip = node.get("strip_accents");
        boolean stripAccents =
                strip == null || strip.isNull() ? lowercase : bool(node, "normalizer.strip_accents", false);
        return new BertNormalizer(
                bool(node, "normalizer.clean_text", true),
                bool(node, "normalizer.handle_chinese_chars", true),
                stripAccents,
                lowercase);
    }

    private List<AddedToken> addedTokens(JsonNode node, Map<String, Integer> vocab) {
        List<AddedToken> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw fail("added_tokens must be an array");
        }
        for (JsonNode t : node) {
            String content = text(t, "added_tokens[].content", null);
            if (content == null) {
                throw fail("an entry of added_tokens has no content");
            }
            String what = "added_tokens['" + oneLine(content) + "'].";
            // like the library, a token the model knows keeps the model's id
            int id = vocab.containsKey(content) ? vocab.get(content) : integer(t, what + "id", -1);
            if (id < 0) {
                throw fail(what + "id is missing");
            }
            out.add(new AddedToken(
                    content,
                    id,
                    bool(t, what + "special", false),
                    bool(t, what + "normalized", true),
                    bool(t, what + "single_word", false),
                    bool(t, what + "lstrip", false),
                    bool(t, what + "rstrip", false)));
        }
        return out;
    }

    private Template template(JsonNode node) {
        if (node == null || node.isNull()) {
            return Template.none();
        }
        String type = text(node, "post_processor.type", null);
        if ("BertProcessing".equals(type)) {
            JsonNode cls = node.get("cls");
            JsonNode sep = node.get("sep");
            if (!isTokenAndId(cls) || !isTokenAndId(sep)) {
                throw fail("post_processor BertProcessing needs \"cls\" and \"sep\" as [token, id] pairs");
            }
            return Template.bert(
                    cls.get(0).asText(), cls.get(1).intValue(),
                    sep.get(0).asText(), sep.get(1).intValue());
        }
        if (!"TemplateProcessing".equals(type)) {
            throw fail("post_processor '" + type + "' is not supported (TemplateProcessing, BertProcessing or null)");
        }
        Map<String, JsonNode> specials = new HashMap<>();
        JsonNode specialNode = node.get("special_tokens");
        if (specialNode != null && specialNode.isObject()) {
            specialNode.fields().forEachRemaining(e -> specials.put(e.getKey(), e.getValue()));
        }
        return new Template(
                templateItems(node.get("single"), "single", specials),
                templateItems(node.get("pair"), "pair", specials));
    }

    private List<Template.Item> templateItems(JsonNode node, String which, Map<String, JsonNode> specials) {
        String what = "post_processor." + which;
        if (node == null || !node.isArray()) {
            throw fail(what + " must be an array of SpecialToken and Sequence items");
        }
        List<Template.Item> items = new ArrayList<>();
        int[] seen = new int[2];
        for (JsonNode item : node) {
            JsonNode seq = item.get("Sequence");
            JsonNode special = item.get("SpecialToken");
            if (seq != null) {
                String id = text(seq, what + ".Sequence.id", "A");
                if (!id.equals("A") && !id.equals("B")) {
                    throw fail(what + " names sequence '" + id + "' (only A and B exist)");
                }
                int index = id.equals("A") ? 0 : 1;
                seen[index]++;
                items.add(Template.Item.sequence(index, integer(seq, what + ".Sequence.type_id", 0)));
            } else if (special != null) {
                String name = text(special, what + ".SpecialToken.id", null);
                JsonNode def = specials.get(name);
                if (def == null) {
                    throw fail(what + " uses the special token '" + name + "', which special_tokens does not define");
                }
                JsonNode ids = def.get("ids");
                JsonNode tokens = def.get("tokens");
                if (ids == null
                        || tokens == null
                        || !ids.isArray()
                        || !tokens.isArray()
                        || ids.size() != tokens.size()) {
                    throw fail(
                            "post_processor.special_tokens['" + name + "'] needs \"ids\" and \"tokens\" of one length");
                }
                List<Integer> idList = new ArrayList<>();
                List<String> tokenList = new ArrayList<>();
                for (int i = 0; i < ids.size(); i++) {
                    idList.add(ids.get(i).intValue());
                    tokenList.add(tokens.get(i).asText());
                }
                items.add(
                        new Template.Item(-1, idList, tokenList, integer(special, what + ".SpecialToken.type_id", 0)));
            } else {
                throw fail(
                        what + " has an item that is neither SpecialToken nor Sequence: " + oneLine(item.toString()));
            }
        }
        boolean pair = which.equals("pair");
        if (seen[0] != 1 || seen[1] != (pair ? 1 : 0)) {
            throw fail(what + " must hold $A once" + (pair ? " and $B once" : " and no $B"));
        }
        return items;
    }

    private static boolean isTokenAndId(JsonNode node) {
        return node != null
                && node.isArray()
                && node.size() == 2
                && node.get(0).isTextual()
                && node.get(1).isIntegralNumber();
    }

    private String text(JsonNode parent, String path, String fallback) {
        JsonNode node = parent.get(leaf(path));
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isTextual()) {
            throw fail(path + " must be a string but is " + oneLine(node.toString()));
        }
        return node.asText();
    }

    private int integer(JsonNode parent, String path, int fallback) {
        JsonNode node = parent.get(leaf(path));
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw fail(path + " must be an integer but is " + oneLine(node.toString()));
        }
        return node.intValue();
    }

    private boolean bool(JsonNode parent, String path, boolean fallback) {
        JsonNode node = parent.get(leaf(path));
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw fail(path + " must be true or false but is " + oneLine(node.toString()));
        }
        return node.booleanValue();
    }

    private static String leaf(String path) {
        return path.substring(path.lastIndexOf('.') + 1);
    }

    private TokenizerFormatException fail(String message) {
        return new TokenizerFormatException(file + ": " + message);
    }

    private TokenizerFormatException fail(String message, Throwable cause) {
        return new TokenizerFormatException(file + ": " + message, cause);
    }

    /** Keeps a message on one line and short. */
    private static String oneLine(String s) {
        String flat = String.valueOf(s).replaceAll("\\s+", " ").trim();
        return flat.length() > 120 ? flat.substring(0, 117) + "..." : flat;
    }
}
