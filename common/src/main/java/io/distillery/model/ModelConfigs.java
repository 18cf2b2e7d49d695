package io.distillery.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * Where model configs come from: a named preset, or a JSON file in the format of the fixtures' {@code config.json}
 * (timm hyper-parameter names; unknown keys are ignored).
 */
public final class ModelConfigs {
    private static final double[] IMAGENET_MEAN = {0.485, 0.456, 0.406};
    private static final double[] IMAGENET_STD = {0.229, 0.224, 0.225};
    private static final Map<String, ModelConfig> PRESETS = new LinkedHashMap<>();

    static {
        // timm beitv2_*_patch16_224 (init_values 1e-5; a checkpoint's own gamma values replace it)
        PRESETS.put("beitv2_base_patch16_224", beit(768, 12, 12));
        PRESETS.put("beitv2_large_patch16_224", beit(1024, 24, 16));
        // fairseq data2vec 2.0 image models: base = prenet 2 + 10 blocks, large = 24 blocks
        PRESETS.put("data2vec2_base_patch16_224", data2vec2(768, 12, 12));
        PRESETS.put("data2vec2_large_patch16_224", data2vec2(1024, 24, 16));
    }

    private ModelConfigs() {}

    private static ModelConfig beit(int dim, int depth, int heads) {
        return new ModelConfig(
                ModelFamily.BEITV2,
                224,
                16,
                3,
                dim,
                depth,
                heads,
                4.0,
                true,
                1e-6,
                1e-5,
                true,
                false,
                IMAGENET_MEAN,
                IMAGENET_STD,
                0);
    }

    private static ModelConfig data2vec2(int dim, int depth, int heads) {
        return new ModelConfig(
                ModelFamily.DATA2VEC2,
                224,
                16,
                3,
                dim,
                depth,
                heads,
                4.0,
                true,
                1e-6,
                0.0,
                false,
                false,
                IMAGENET_MEAN,
                IMAGENET_STD,
                0);
    }

    public static Map<String, ModelConfig> presets() {
        return Map.copyOf(PRESETS);
    }

    /** A preset name, or a path to a config JSON file. */
    public static ModelConfig resolve(String presetOrPath) {
        ModelConfig preset = PRESETS.get(presetOrPath);
        if (preset != null) {
            return preset;
        }
        Path path = Path.of(presetOrPath);
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("--model '" + presetOrPath + "' is neither a preset "
                    + new TreeSet<>(PRESETS.keySet()) + " nor a config file");
        }
        return fromJson(path);
    }

    public static ModelConfig fromJson(Path path) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(path.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(path + ": not valid JSON: " + firstLine(e.getMessage()), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(path + ": a model config must be a JSON object");
        }
        ConfigReader r = new ConfigReader(path, root);
        ModelFamily family = familyOf(path, root);
        boolean beit = family == ModelFamily.BEITV2;
        try {
            return create(r, family, beit);
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(path.toString())
                    ? e
                    : new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
    }

    private static ModelConfig create(ConfigReader r, ModelFamily family, boolean beit) {
        return new ModelConfig(
                family,
                r.requiredInt("img_size"),
                r.requiredInt("patch_size"),
                r.optionalInt("in_chans", 3),
                r.requiredInt("embed_dim"),
                r.requiredInt("depth"),
                r.requiredInt("num_heads"),
                r.optionalDouble("mlp_ratio", 4.0),
                r.optionalBoolean("qkv_bias", true),
                r.optionalDouble("layer_norm_eps", 1e-6),
                r.optionalDouble("init_values", beit ? 1e-5 : 0.0),
                r.optionalBoolean("use_rel_pos_bias", beit),
                r.optionalBoolean("use_abs_pos_emb", false),
                r.optionalVector("image_mean", IMAGENET_MEAN),
                r.optionalVector("image_std", IMAGENET_STD),
                r.optionalInt("num_classes", 0));
    }

    /** The config in the fixtures' config.json vocabulary (with model_type); {@link #fromJson} reads it back. */
    public static Map<String, Object> toJsonMap(ModelConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_type", c.family().id());
        m.put("img_size", c.imgSize());
        m.put("patch_size", c.patchSize());
        m.put("in_chans", c.inChans());
        m.put("embed_dim", c.embedDim());
        m.put("depth", c.depth());
        m.put("num_heads", c.numHeads());
        m.put("mlp_ratio", c.mlpRatio());
        m.put("qkv_bias", c.qkvBias());
        m.put("layer_norm_eps", c.layerNormEps());
        m.put("init_values", c.initValues());
        m.put("use_rel_pos_bias", c.useRelPosBias());
        m.put("use_abs_pos_emb", c.useAbsPosEmb());
        m.put("image_mean", c.imageMean());
        m.put("image_std", c.imageStd());
        m.put("num_classes", c.numClasses());
        return m;
    }

    /** Parses a JSON object tree in the config.json vocabulary; {@code source} names it in errors. */
    public static ModelConfig fromJsonNode(JsonNode root, String source) {
        Path path = Path.of(source);
        ConfigReader r = new ConfigReader(path, root);
        ModelFamily family = familyOf(path, root);
        try {
            return create(r, family, family == ModelFamily.BEITV2);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    /** {@code model_type} if given, otherwise told apart by keys only one family's configs carry. */
    private static ModelFamily familyOf(Path path, JsonNode root) {
        if (root.hasNonNull("model_type")) {
            try {
                return ModelFamily.fromId(root.get("model_type").asText());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
            }
        }
        String architecture = root.path("architecture").asText("").toLowerCase(java.util.Locale.ROOT);
        boolean d2v = architecture.contains("data2vec") || root.has("layer_norm_first") || root.has("num_extra_tokens");
        boolean beit = architecture.contains("beit") || root.has("use_rel_pos_bias") || root.has("init_values");
        if (d2v == beit) {
            throw new IllegalArgumentException(
                    path + ": cannot tell the model family; add \"model_type\": " + "\"beitv2\" or \"data2vec2\"");
        }
        return d2v ? ModelFamily.DATA2VEC2 : ModelFamily.BEITV2;
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }
}
