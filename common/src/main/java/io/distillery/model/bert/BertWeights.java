package io.distillery.model.bert;

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
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a BERT encoder from a Hugging Face safetensors checkpoint, strictly. Tensor names are transformers'
 * ({@code embeddings.word_embeddings.weight}, {@code encoder.layer.N.attention.self.query.weight}, ...,
 * {@code pooler.dense.bias}), under the {@code bert.} prefix of a task model's checkpoint (BertForPreTraining,
 * BertForSequenceClassification, ...) or without it (a saved BertModel). The old LayerNorm names {@code gamma} and
 * {@code beta} are read as {@code weight} and {@code bias}, as transformers' loader does. Tensors outside the
 * {@code bert.} prefix (task heads such as {@code cls.*} or {@code classifier.*}) and the {@code position_ids}
 * buffer of old checkpoints are skipped; the pooler is optional (a checkpoint without it gives no pooled output).
 * A missing, mis-shaped, duplicated or unexpected tensor, or one holding NaN or Inf, is a one-line
 * {@link CheckpointFormatException} naming the file and the tensor.
 */
public final class BertWeights {
    private static final Logger LOG = LoggerFactory.getLogger(BertWeights.class);
    static final String PREFIX = "bert.";
    private static final String POSITION_IDS = "embeddings.position_ids";
    private static final String POOLER_WEIGHT = "pooler.dense.weight";
    private static final String POOLER_BIAS = "pooler.dense.bias";

    private BertWeights() {}

    static BertEncoder load(BertConfig config, Path checkpoint) {
        return assemble(config, read(config, checkpoint));
    }

    /**
     * The checkpoint's BertModel tensors, checked as described above, under transformers' current names without
     * the {@code bert.} prefix, in checkpoint order (the pooler's only when the checkpoint has it). The trainable
     * text graph ({@code io.distillery.model.text}) loads its weights from these.
     */
    public static Map<String, INDArray> read(BertConfig config, Path checkpoint) {
        String source = checkpoint.toString();
        try (SafetensorsFile file = SafetensorsFile.open(checkpoint)) {
            return read(config, file, source);
        } catch (IOException e) {
            throw new UncheckedIOException(source + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, INDArray> read(BertConfig config, SafetensorsFile file, String source)
            throws IOException {
        List<String> names = file.names();
        String prefix = names.stream().anyMatch(n -> n.startsWith(PREFIX)) ? PREFIX : "";
        List<String> problems = new ArrayList<>();
        Map<String, String> stored = new HashMap<>(); // transformers' current name, without prefix -> name in file
        TreeSet<String> skipped = new TreeSet<>();
        for (String name : names) {
            if (!name.startsWith(prefix)) {
                skipped.add(name);
                continue;
            }
            String canonical = canonical(name.substring(prefix.length()));
            if (canonical.equals(POSITION_IDS)) {
                skipped.add(name);
                continue;
            }
            String other = stored.put(canonical, name);
            if (other != null) {
                problems.add("tensors '" + other + "' and '" + name + "' are both " + prefix + canonical);
            }
        }
        Map<String, long[]> expected =
                expectedShapes(config, stored.containsKey(POOLER_WEIGHT) || stored.containsKey(POOLER_BIAS));
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            String name = stored.remove(e.getKey());
            if (name == null) {
                problems.add("missing tensor '" + prefix + e.getKey() + "' " + Arrays.toString(e.getValue()));
                continue;
            }
            long[] shape = file.info(name).shape();
            if (!Arrays.equals(shape, e.getValue())) {
                problems.add("tensor '" + name + "' has shape " + Arrays.toString(shape) + " but " + config.toString()
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
        if (!skipped.isEmpty()) {
            LOG.info(
                    "{}: skipped {} tensors that are not part of BertModel, e.g. '{}'",
                    source,
                    skipped.size(),
                    skipped.first());
        }
        LOG.info("loaded {} tensors from {} into {}", tensors.size(), source, config);
        return tensors;
    }

    /** transformers' name for a tensor: {@code LayerNorm.gamma/beta} of TF-converted checkpoints renamed. */
    static String canonical(String name) {
        if (name.endsWith(".LayerNorm.gamma")) {
            return name.substring(0, name.length() - "gamma".length()) + "weight";
        }
        if (name.endsWith(".LayerNorm.beta")) {
            return name.substring(0, name.length() - "beta".length()) + "bias";
        }
        return name;
    }

    /** Every tensor of BertModel for {@code config} (without prefix), in checkpoint order, with its shape. */
    static Map<String, long[]> expectedShapes(BertConfig c, boolean pooler) {
        long d = c.hiddenSize();
        long i = c.intermediateSize();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("embeddings.word_embeddings.weight", new long[] {c.vocabSize(), d});
        shapes.put("embeddings.position_embeddings.weight", new long[] {c.maxPositions(), d});
        shapes.put("embeddings.token_type_embeddings.weight", new long[] {c.typeVocabSize(), d});
        layerNorm(shapes, "embeddings.LayerNorm", d);
        for (int n = 0; n < c.numLayers(); n++) {
            String p = "encoder.layer." + n + ".";
            linear(shapes, p + "attention.self.query", d, d);
            linear(shapes, p + "attention.self.key", d, d);
            linear(shapes, p + "attention.self.value", d, d);
            linear(shapes, p + "attention.output.dense", d, d);
            layerNorm(shapes, p + "attention.output.LayerNorm", d);
            linear(shapes, p + "intermediate.dense", i, d);
            linear(shapes, p + "output.dense", d, i);
            layerNorm(shapes, p + "output.LayerNorm", d);
        }
        if (pooler) {
            linear(shapes, "pooler.dense", d, d);
        }
        return shapes;
    }

    private static void linear(Map<String, long[]> shapes, String name, long out, long in) {
        shapes.put(name + ".weight", new long[] {out, in});
        shapes.put(name + ".bias", new long[] {out});
    }

    private static void layerNorm(Map<String, long[]> shapes, String name, long d) {
        shapes.put(name + ".weight", new long[] {d});
        shapes.put(name + ".bias", new long[] {d});
    }

    /** The kernels' parameter maps (see BertEmbeddingMath and BertLayerMath) from transformers' tensors. */
    private static BertEncoder assemble(BertConfig c, Map<String, INDArray> t) {
        Map<String, INDArray> embeddings = Map.of(
                "wordW", t.get("embeddings.word_embeddings.weight"),
                "posW", t.get("embeddings.position_embeddings.weight"),
                "typeW", t.get("embeddings.token_type_embeddings.weight"),
                "normW", t.get("embeddings.LayerNorm.weight"),
                "normB", t.get("embeddings.LayerNorm.bias"));
        List<Map<String, INDArray>> layers = new ArrayList<>();
        for (int n = 0; n < c.numLayers(); n++) {
            String p = "encoder.layer." + n + ".";
            String q = p + "attention.self.query.";
            String k = p + "attention.self.key.";
            String v = p + "attention.self.value.";
            Map<String, INDArray> layer = new HashMap<>();
            // one [3D, D] projection: the attention kernel reads each head of q, k and v as a sub-matrix of it
            layer.put("qkvW", Nd4j.concat(0, t.get(q + "weight"), t.get(k + "weight"), t.get(v + "weight")));
            layer.put("qkvB", Nd4j.concat(0, t.get(q + "bias"), t.get(k + "bias"), t.get(v + "bias")));
            layer.put("projW", t.get(p + "attention.output.dense.weight"));
            layer.put("projB", t.get(p + "attention.output.dense.bias"));
            layer.put("norm1W", t.get(p + "attention.output.LayerNorm.weight"));
            layer.put("norm1B", t.get(p + "attention.output.LayerNorm.bias"));
            layer.put("fc1W", t.get(p + "intermediate.dense.weight"));
            layer.put("fc1B", t.get(p + "intermediate.dense.bias"));
            layer.put("fc2W", t.get(p + "output.dense.weight"));
            layer.put("fc2B", t.get(p + "output.dense.bias"));
            layer.put("norm2W", t.get(p + "output.LayerNorm.weight"));
            layer.put("norm2B", t.get(p + "output.LayerNorm.bias"));
            layers.add(Map.copyOf(layer));
        }
        return new BertEncoder(c, embeddings, layers, t.get(POOLER_WEIGHT), t.get(POOLER_BIAS));
    }
}
