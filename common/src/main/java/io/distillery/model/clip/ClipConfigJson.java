package io.distillery.model.clip;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads an open_clip model config JSON into a {@link ClipConfig}. A key the file does not contain takes the default
 * of open_clip's {@code CLIPVisionCfg} / {@code CLIPTextCfg} dataclass. Options that change the network are accepted
 * only at the value this model implements (e.g. {@code ls_init_value} null, {@code pool_type} "tok" / "argmax"),
 * options without effect on a standard ViT CLIP at inference are ignored (tokenizer settings, patch dropout, the
 * settings of a timm or Hugging Face tower that is not used), and any other key is refused, so a config for a
 * tower this class cannot run fails here instead of loading as something else.
 */
final class ClipConfigJson {
    private static final String NOT_IMPLEMENTED = " is not implemented";

    /** vision_cfg keys with no effect on inference of the native ViT tower. */
    private static final List<String> VISION_IGNORED = List.of(
            "patch_dropout",
            "output_tokens",
            "image_seq_len",
            "attn_pooler_queries",
            "attn_pooler_heads",
            "timm_model_pretrained",
            "timm_pool",
            "timm_proj",
            "timm_proj_bias",
            "timm_drop",
            "timm_drop_path",
            "timm_model_kwargs");

    /** text_cfg keys with no effect here: tokenizer settings, and those of towers other than the native one. */
    private static final List<String> TEXT_IGNORED = List.of(
            "pad_id",
            "bos_id",
            "eos_id",
            "output_tokens",
            "final_ln_after_pool", // not passed to open_clip's TextTransformer
            "hf_tokenizer_name",
            "tokenizer_mode",
            "tokenizer_kwargs",
            "tokenizer_type",
            "tiktoken_name",
            "hf_model_pretrained",
            "hf_proj_type",
            "hf_pooler_type",
            "hf_model_config",
            "attention_mode",
            "pos_embed",
            "rope_temperature",
            "mlp_type",
            "norm_type",
            "norm_eps",
            "attn_gated",
            "pre_norm",
            "norm_placement",
            "zero_init_residual",
            "reg_tokens",
            "value_residual",
            "attention_bias",
            "mlp_bias",
            "gate_bias");

    /** Block variants of open_clip's CustomResidualAttentionBlock, in both towers. */
    private static final List<String> CUSTOM_BLOCK_FLAGS =
            List.of("qk_norm", "scaled_cosine_attn", "scale_heads", "scale_attn_inner", "scale_attn", "scale_fc");

    private ClipConfigJson() {}

    static ClipConfig read(Path path) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(path.toFile());
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw new IllegalArgumentException(path + ": not valid JSON: " + message, e);
        }
        Section top = new Section(path, "", root);
        try {
            int embedDim = top.integer("embed_dim", null);
            boolean quickGelu = top.bool("quick_gelu", false);
            top.only("custom_text", "a text tower under 'text.' (CustomTextCLIP)" + NOT_IMPLEMENTED, false);
            top.only("init_logit_bias", "a logit bias (SigLIP)" + NOT_IMPLEMENTED, (Object) null);
            top.ignore(List.of("init_logit_scale", "nonscalar_logit_scale")); // initialisation only
            ClipVisionConfig vision = vision(top.section("vision_cfg"));
            ClipTextConfig text = text(top.section("text_cfg"));
            top.refuseOthers();
            return new ClipConfig(embedDim, quickGelu, vision, text);
        } catch (IllegalArgumentException e) {
            String message = String.valueOf(e.getMessage());
            throw message.startsWith(path.toString()) ? e : new IllegalArgumentException(path + ": " + message, e);
        }
    }

    private static ClipVisionConfig vision(Section s) {
        s.only("timm_model_name", "a timm image tower" + NOT_IMPLEMENTED, (Object) null);
        JsonNode layers = s.node.get("layers");
        if (layers != null && layers.isArray()) {
            throw s.error(
                    "layers",
                    "is a list, which means open_clip's ModifiedResNet: only ViT towers are" + " implemented");
        }
        JsonNode size = s.node.get("image_size");
        if (size != null && size.isArray()) {
            throw s.error("image_size", "is a list: only square images (one integer) are implemented");
        }
        s.only("attentional_pool", "attentional pooling" + NOT_IMPLEMENTED, false);
        s.only("ls_init_value", "layer scale" + NOT_IMPLEMENTED, (Object) null);
        s.only("no_ln_pre", "a tower without ln_pre" + NOT_IMPLEMENTED, false);
        s.only("pos_embed_type", "only learnable positions are implemented", "learnable");
        s.only("pool_type", "only class token pooling is implemented", "tok");
        // with class token pooling, LayerNorm then pool equals pool then LayerNorm (it is per token)
        s.bool("final_ln_after_pool", false);
        commonBlockOptions(s);
        s.ignore(VISION_IGNORED);
        int width = s.integer("width", 768);
        double mlpRatio = s.number("mlp_ratio", 4.0);
        ClipVisionConfig config = new ClipVisionConfig(
                s.integer("image_size", 224),
                s.integer("patch_size", 16),
                width,
                s.integer("layers", 12),
                s.integer("head_width", 64),
                (int) (width * mlpRatio));
        s.refuseOthers();
        return config;
    }

    private static ClipTextConfig text(Section s) {
        s.only("text_arch", "only the native CLIP text transformer is implemented", "clip");
        s.only("variable_text", "variable-length text (CustomTextCLIP)" + NOT_IMPLEMENTED, false);
        s.only("hf_model_name", "a Hugging Face text tower" + NOT_IMPLEMENTED, (Object) null);
        s.only("ls_init_value", "layer scale" + NOT_IMPLEMENTED, (Object) null);
        s.only("embed_cls", "an appended class token (CoCa)" + NOT_IMPLEMENTED, false);
        s.only("no_causal_mask", "only causal attention is implemented", false);
        s.only("pool_type", "only pooling at the highest token id (EOT) is implemented", "argmax");
        s.only("proj_bias", "a text projection with bias" + NOT_IMPLEMENTED, false);
        s.only("proj_type", "only a linear text projection is implemented", "linear");
        commonBlockOptions(s);
        s.ignore(TEXT_IGNORED);
        int width = s.integer("width", 512);
        double mlpRatio = s.number("mlp_ratio", 4.0);
        ClipTextConfig config = new ClipTextConfig(
                s.integer("context_length", 77),
                s.integer("vocab_size", 49408),
                width,
                s.integer("heads", 8),
                s.integer("layers", 12),
                (int) (width * mlpRatio));
        s.refuseOthers();
        return config;
    }

    private static void commonBlockOptions(Section s) {
        s.only("act_kwargs", "activation arguments are not implemented", (Object) null);
        s.only("norm_kwargs", "LayerNorm arguments are not implemented", (Object) null);
        s.only("block_type", "only the default block is implemented", null, "default");
        for (String flag : CUSTOM_BLOCK_FLAGS) {
            s.only(flag, "open_clip's custom attention block" + NOT_IMPLEMENTED, false);
        }
    }

    /** One JSON object of the config and the keys read from it so far. */
    private static final class Section {
        private final Path path;
        private final String prefix;
        private final JsonNode node;
        private final Set<String> seen = new HashSet<>();

        Section(Path path, String prefix, JsonNode node) {
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException(
                        path + ": " + (prefix.isEmpty() ? "an open_clip model config" : prefix.replace(".", ""))
                                + " must be a JSON object");
            }
            this.path = path;
            this.prefix = prefix;
            this.node = node;
        }

        IllegalArgumentException error(String key, String problem) {
            return new IllegalArgumentException(path + ": " + prefix + key + " " + problem);
        }

        Section section(String key) {
            seen.add(key);
            JsonNode child = node.get(key);
            if (child == null || child.isNull()) {
                throw new IllegalArgumentException(path + ": " + prefix + key + " is missing");
            }
            return new Section(path, prefix + key + ".", child);
        }

        /** @param fallback null: the key is required */
        int integer(String key, Integer fallback) {
            seen.add(key);
            JsonNode value = node.get(key);
            if (value == null || value.isNull()) {
                if (fallback == null) {
                    throw new IllegalArgumentException(path + ": " + prefix + key + " is missing");
                }
                return fallback;
            }
            if (!value.isIntegralNumber() || !value.canConvertToInt()) {
                throw error(key, "must be an integer, got " + value);
            }
            return value.asInt();
        }

        double number(String key, double fallback) {
            seen.add(key);
            JsonNode value = node.get(key);
            if (value == null || value.isNull()) {
                return fallback;
            }
            if (!value.isNumber()) {
                throw error(key, "must be a number, got " + value);
            }
            return value.asDouble();
        }

        boolean bool(String key, boolean fallback) {
            seen.add(key);
            JsonNode value = node.get(key);
            if (value == null || value.isNull()) {
                return fallback;
            }
            if (!value.isBoolean()) {
                throw error(key, "must be true or false, got " + value);
            }
            return value.asBoolean();
        }

        /** Accepts the key when absent or holding one of {@code allowed} (null, a Boolean or a String). */
        void only(String key, String why, Object... allowed) {
            seen.add(key);
            JsonNode value = node.get(key);
            if (value == null) {
                return;
            }
            Object actual = value.isNull()
                    ? null
                    : value.isBoolean() ? value.asBoolean() : value.isTextual() ? value.asText() : value;
            if (!Arrays.asList(allowed).contains(actual)) {
                String supported = allowed.length == 1 ? String.valueOf(allowed[0]) : Arrays.toString(allowed);
                throw error(key, "is " + value + ", but " + why + " (supported: " + supported + ")");
            }
        }

        void ignore(List<String> keys) {
            seen.addAll(keys);
        }

        void refuseOthers() {
            for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
                String key = names.next();
                if (!seen.contains(key)) {
                    throw error(key, "is not an open_clip option this CLIP implements");
                }
            }
        }
    }
}
