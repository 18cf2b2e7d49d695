package io.distillery.model.clip;

import io.distillery.checkpoint.CheckpointFormatException;
import io.distillery.checkpoint.SafetensorsFile;
import io.distillery.numerics.FiniteValues;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an open_clip ViT CLIP from safetensors, strictly. Tensor names are those of open_clip's
 * {@code CLIP.state_dict()}: {@code visual.conv1.weight}, {@code visual.class_embedding},
 * {@code visual.positional_embedding}, {@code visual.ln_pre.*}, {@code visual.transformer.resblocks.N.*} (ln_1,
 * attn.in_proj_weight / in_proj_bias, attn.out_proj, ln_2, mlp.c_fc, mlp.c_proj), {@code visual.ln_post.*},
 * {@code visual.proj}, and for the text tower {@code token_embedding.weight}, {@code positional_embedding},
 * {@code transformer.resblocks.N.*}, {@code ln_final.*}, {@code text_projection}, plus {@code logit_scale} (a scalar,
 * or [1] for open_clip's nonscalar_logit_scale). A checkpoint saved from a DistributedDataParallel wrapper, with
 * every name under {@code module.}, is read the same. A missing, mis-shaped or unexpected tensor, or one holding NaN
 * or Inf, is a one-line {@link CheckpointFormatException} naming the file and the tensor.
 */
final class ClipWeights {
    private static final Logger LOG = LoggerFactory.getLogger(ClipWeights.class);
    static final String DDP_PREFIX = "module.";
    private static final String LOGIT_SCALE = "logit_scale";

    private ClipWeights() {}

    static ClipModel load(ClipConfig config, Path checkpoint) {
        String source = checkpoint.toString();
        try (SafetensorsFile file = SafetensorsFile.open(checkpoint)) {
            return assemble(config, read(config, file, source));
        } catch (IOException e) {
            throw new UncheckedIOException(source + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, INDArray> read(ClipConfig config, SafetensorsFile file, String source)
            throws IOException {
        List<String> names = file.names();
        String prefix = !names.isEmpty() && names.stream().allMatch(n -> n.startsWith(DDP_PREFIX)) ? DDP_PREFIX : "";
        Map<String, String> stored = new HashMap<>(); // name without prefix -> name in the file
        for (String name : names) {
            stored.put(name.substring(prefix.length()), name);
        }
        List<String> problems = new ArrayList<>();
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expectedShapes(config).entrySet()) {
            String name = stored.remove(e.getKey());
            if (name == null) {
                problems.add("missing tensor '" + prefix + e.getKey() + "' " + Arrays.toString(e.getValue()));
                continue;
            }
            long[] shape = file.info(name).shape();
            if (!fits(e.getKey(), shape, e.getValue())) {
                problems.add("tensor '" + name + "' has shape " + Arrays.toString(shape) + " but " + config
                        + " expects " + Arrays.toString(e.getValue()));
                continue;
            }
            if (problems.isEmpty()) {
                INDArray tensor = file.readArray(name);
                if (!FiniteValues.allFinite(tensor)) {
                    throw new CheckpointFormatException(
                            source + ": tensor '" + name + "' holds NaN or Inf values; the checkpoint is damaged");
                }
                tensors.put(e.getKey(), tensor);
            }
        }
        for (String name : new TreeSet<>(stored.values())) {
            problems.add("unexpected tensor '" + name + "' "
                    + Arrays.toString(file.info(name).shape()) + " for " + config);
        }
        if (!problems.isEmpty()) {
            String more = problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problems)" : "";
            throw new CheckpointFormatException(source + ": " + problems.get(0) + more);
        }
        LOG.info("loaded {} tensors from {} into {}", tensors.size(), source, config);
        return tensors;
    }

    /** logit_scale is a scalar, or [1] when open_clip was built with nonscalar_logit_scale. */
    private static boolean fits(String name, long[] shape, long[] expected) {
        if (name.equals(LOGIT_SCALE)) {
            return shape.length == 0 || Arrays.equals(shape, new long[] {1});
        }
        return Arrays.equals(shape, expected);
    }

    /** Every tensor of open_clip's CLIP for {@code config} (without prefix) with its shape. */
    static Map<String, long[]> expectedShapes(ClipConfig c) {
        ClipVisionConfig v = c.vision();
        ClipTextConfig t = c.text();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("visual.conv1.weight", new long[] {v.width(), 3, v.patchSize(), v.patchSize()});
        shapes.put("visual.class_embedding", new long[] {v.width()});
        shapes.put("visual.positional_embedding", new long[] {v.tokens(), v.width()});
        layerNorm(shapes, "visual.ln_pre", v.width());
        for (int n = 0; n < v.layers(); n++) {
            block(shapes, "visual.transformer.resblocks." + n + ".", v.width(), v.mlpWidth());
        }
        layerNorm(shapes, "visual.ln_post", v.width());
        shapes.put("visual.proj", new long[] {v.width(), c.embedDim()});
        shapes.put("token_embedding.weight", new long[] {t.vocabSize(), t.width()});
        shapes.put("positional_embedding", new long[] {t.contextLength(), t.width()});
        for (int n = 0; n < t.layers(); n++) {
            block(shapes, "transformer.resblocks." + n + ".", t.width(), t.mlpWidth());
        }
        layerNorm(shapes, "ln_final", t.width());
        shapes.put("text_projection", new long[] {t.width(), c.embedDim()});
        shapes.put(LOGIT_SCALE, new long[0]);
        return shapes;
    }

    private static void block(Map<String, long[]> shapes, String p, long width, long mlp) {
        layerNorm(shapes, p + "ln_1", width);
        shapes.put(p + "attn.in_proj_weight", new long[] {3 * width, width});
        shapes.put(p + "attn.in_proj_bias", new long[] {3 * width});
        linear(shapes, p + "attn.out_proj", width, width);
        layerNorm(shapes, p + "ln_2", width);
        linear(shapes, p + "mlp.c_fc", mlp, width);
        linear(shapes, p + "mlp.c_proj", width, mlp);
    }

    private static void linear(Map<String, long[]> shapes, String name, long out, long in) {
        shapes.put(name + ".weight", new long[] {out, in});
        shapes.put(name + ".bias", new long[] {out});
    }

    private static void layerNorm(Map<String, long[]> shapes, String name, long width) {
        shapes.put(name + ".weight", new long[] {width});
        shapes.put(name + ".bias", new long[] {width});
    }

    private static ClipModel assemble(ClipConfig c, Map<String, INDArray> t) {
        ClipVisionConfig v = c.vision();
        List<ClipBlock> visualBlocks = new ArrayList<>();
        for (int n = 0; n < v.layers(); n++) {
            visualBlocks.add(block(t, "visual.transformer.resblocks." + n + "."));
        }
        ClipImageTower image = new ClipImageTower(
                v,
                c.quickGelu(),
                t.get("visual.conv1.weight"),
                t.get("visual.class_embedding"),
                t.get("visual.positional_embedding"),
                t.get("visual.ln_pre.weight"),
                t.get("visual.ln_pre.bias"),
                visualBlocks,
                t.get("visual.ln_post.weight"),
                t.get("visual.ln_post.bias"),
                t.get("visual.proj"));
        List<ClipBlock> textBlocks = new ArrayList<>();
        for (int n = 0; n < c.text().layers(); n++) {
            textBlocks.add(block(t, "transformer.resblocks." + n + "."));
        }
        ClipTextTower text = new ClipTextTower(
                c.text(),
                c.quickGelu(),
                t.get("token_embedding.weight"),
                t.get("positional_embedding"),
                textBlocks,
                t.get("ln_final.weight"),
                t.get("ln_final.bias"),
                t.get("text_projection"));
        return new ClipModel(c, image, text, t.get(LOGIT_SCALE).getFloat(0));
    }

    private static ClipBlock block(Map<String, INDArray> t, String p) {
        return new ClipBlock(
                t.get(p + "ln_1.weight"),
                t.get(p + "ln_1.bias"),
                t.get(p + "attn.in_proj_weight"),
                t.get(p + "attn.in_proj_bias"),
                t.get(p + "attn.out_proj.weight"),
                t.get(p + "attn.out_proj.bias"),
                t.get(p + "ln_2.weight"),
                t.get(p + "ln_2.bias"),
                t.get(p + "mlp.c_fc.weight"),
                t.get(p + "mlp.c_fc.bias"),
                t.get(p + "mlp.c_proj.weight"),
                t.get(p + "mlp.c_proj.bias"));
    }
}
