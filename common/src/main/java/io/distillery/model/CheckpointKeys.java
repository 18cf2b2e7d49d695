package io.distillery.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renames fairseq data2vec 2.0 state-dict keys to the timm names Distillery uses (the mapping of the fixtures'
 * {@code config.json}). fairseq runs {@code prenet_depth} blocks inside the image encoder
 * ({@code modality_encoders.IMAGE.context_encoder.blocks.i}) before the shared {@code blocks.j}; they become one
 * sequence {@code blocks.0..}. Training-only tensors (decoder, EMA teacher) are dropped and logged.
 */
public final class CheckpointKeys {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointKeys.class);
    private static final String IMAGE = "modality_encoders.IMAGE.";
    private static final Pattern PRENET_BLOCK =
            Pattern.compile(Pattern.quote(IMAGE + "context_encoder.blocks.") + "(\\d+)\\.(.+)");
    private static final Pattern MAIN_BLOCK = Pattern.compile("blocks\\.(\\d+)\\.(.+)");
    private static final Map<String, String> RENAMES = Map.of(
            IMAGE + "local_encoder.proj.weight", "patch_embed.proj.weight",
            IMAGE + "local_encoder.proj.bias", "patch_embed.proj.bias",
            IMAGE + "extra_tokens", "cls_token",
            IMAGE + "fixed_positional_encoder.positions", "pos_embed",
            IMAGE + "context_encoder.norm.weight", "norm_pre.weight",
            IMAGE + "context_encoder.norm.bias", "norm_pre.bias");

    private CheckpointKeys() {}

    /** True when the keys follow fairseq's data2vec 2.0 naming. */
    public static boolean isFairseq(Iterable<String> keys) {
        for (String key : keys) {
            if (key.startsWith(IMAGE)) {
                return true;
            }
        }
        return false;
    }

    /** The tensors under timm names; keys already in timm naming pass through unchanged. */
    public static <T> Map<String, T> toTimm(Map<String, T> tensors) {
        if (!isFairseq(tensors.keySet())) {
            return tensors;
        }
        int prenetDepth = 0;
        for (String key : tensors.keySet()) {
            Matcher m = PRENET_BLOCK.matcher(key);
            if (m.matches()) {
                prenetDepth = Math.max(prenetDepth, Integer.parseInt(m.group(1)) + 1);
            }
        }
        Map<String, T> out = new LinkedHashMap<>();
        TreeSet<String> dropped = new TreeSet<>();
        for (Map.Entry<String, T> e : tensors.entrySet()) {
            String key = e.getKey();
            Matcher prenet = PRENET_BLOCK.matcher(key);
            Matcher main = MAIN_BLOCK.matcher(key);
            String renamed;
            if (RENAMES.containsKey(key)) {
                renamed = RENAMES.get(key);
            } else if (prenet.matches()) {
                renamed = "blocks." + prenet.group(1) + "." + prenet.group(2);
            } else if (main.matches()) {
                renamed = "blocks." + (Integer.parseInt(main.group(1)) + prenetDepth) + "." + main.group(2);
            } else if (isTrainingOnly(key)) {
                dropped.add(key);
                continue;
            } else {
                renamed = key; // left for the strict loader to report
            }
            if (out.put(renamed, e.getValue()) != null) {
                throw new IllegalArgumentException("two fairseq tensors map to the same name '" + renamed + "'");
            }
        }
        if (!dropped.isEmpty()) {
            LOG.info(
                    "dropped {} training-only fairseq tensors (decoder / EMA), e.g. {}",
                    dropped.size(),
                    dropped.first());
        }
        return out;
    }

    private static boolean isTrainingOnly(String key) {
        return key.startsWith(IMAGE + "decoder.")
                || key.startsWith("_ema.")
                || key.startsWith("ema.")
                || key.startsWith("recon_proj.")
                || key.startsWith("cls_proj.")
                || key.startsWith("shared_decoder.");
    }
}
