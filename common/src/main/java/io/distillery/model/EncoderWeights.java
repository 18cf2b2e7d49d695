package io.distillery.model;

import io.distillery.checkpoint.CheckpointFormatException;
import io.distillery.model.layers.SinCosPositions;
import io.distillery.model.layers.TokenLayer;
import io.distillery.numerics.FiniteValues;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves weights between timm-named tensors and an encoder graph, strictly: a missing, unexpected or mis-shaped
 * tensor is an error naming the key and both shapes, and so is a tensor holding NaN or Inf.
 */
public final class EncoderWeights {
    private static final Logger LOG = LoggerFactory.getLogger(EncoderWeights.class);
    /** Fixed positions are recomputed; a checkpoint whose table differs by more than this was made differently. */
    private static final double POS_EMBED_TOLERANCE = 1e-5;

    private EncoderWeights() {}

    /** A float32 encoder holding {@code tensors} (timm names, see {@link CheckpointKeys} for fairseq names). */
    public static Encoder load(ModelConfig config, Map<String, INDArray> tensors, String source) {
        requireFinite(tensors, source);
        ComputationGraph graph = EncoderGraph.create(config, 0, DataType.FLOAT);
        Map<String, INDArray> expected = graphParams(graph);
        List<String> problems = new ArrayList<>();
        Map<String, INDArray> remaining = new LinkedHashMap<>(tensors);
        for (Map.Entry<String, INDArray> e : expected.entrySet()) {
            INDArray tensor = remaining.remove(e.getKey());
            if (tensor == null) {
                problems.add("missing tensor '" + e.getKey() + "' "
                        + Arrays.toString(e.getValue().shape()));
            } else if (!Arrays.equals(tensor.shape(), e.getValue().shape())) {
                problems.add(mismatch(e.getKey(), tensor, e.getValue().shape()));
            } else {
                e.getValue().assign(tensor.castTo(DataType.FLOAT));
            }
        }
        // BEiT always has fc_norm; a finetuned data2vec 2.0 classifier has it too (with its head)
        PoolingHead head = config.family() == ModelFamily.BEITV2 || config.numClasses() > 0
                ? takeHead(config, remaining, problems)
                : null;
        if (config.family() == ModelFamily.DATA2VEC2) {
            checkPositions(config, remaining.remove("pos_embed"), problems);
        }
        remaining.keySet().removeIf(key -> key.endsWith(".relative_position_index")); // timm buffer, recomputed
        for (Map.Entry<String, INDArray> e : remaining.entrySet()) {
            problems.add("unexpected tensor '" + e.getKey() + "' "
                    + Arrays.toString(e.getValue().shape()) + " for model "
                    + config.family().id() + " depth " + config.depth());
        }
        if (!problems.isEmpty()) {
            String more = problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problems)" : "";
            throw new CheckpointFormatException(source + ": " + problems.get(0) + more);
        }
        LOG.info("loaded {} tensors from {} into {}", tensors.size(), source, config);
        return new Encoder(config, graph, head);
    }

    /** One NaN/Inf weight turns every output into NaN: refuse the checkpoint here, naming the tensor. */
    private static void requireFinite(Map<String, INDArray> tensors, String source) {
        for (Map.Entry<String, INDArray> e : tensors.entrySet()) {
            if (!FiniteValues.allFinite(e.getValue())) {
                throw new CheckpointFormatException(
                        source + ": tensor '" + e.getKey() + "' holds NaN or Inf values; the checkpoint is damaged");
            }
        }
    }

    /** Every tensor of the encoder under its timm name, ready to be written as safetensors. */
    public static Map<String, INDArray> export(Encoder encoder) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        graphParams(encoder.graph()).forEach((key, value) -> out.put(key, value.dup()));
        ModelConfig c = encoder.config();
        if (c.family() == ModelFamily.DATA2VEC2) {
            out.put("pos_embed", positions(c).reshape(1, c.numPatches(), c.embedDim()));
        }
        PoolingHead head = encoder.head();
        if (head != null) {
            out.put("fc_norm.weight", head.normWeight().dup());
            out.put("fc_norm.bias", head.normBias().dup());
            if (head.classifierWeight() != null) {
                out.put("head.weight", head.classifierWeight().dup());
                out.put("head.bias", head.classifierBias().dup());
            }
        }
        return out;
    }

    /** Checkpoint key to the live parameter view, for every parameter of the graph. */
    static Map<String, INDArray> graphParams(ComputationGraph graph) {
        Map<String, INDArray> params = new LinkedHashMap<>();
        for (Map.Entry<String, GraphVertex> v :
                graph.getConfiguration().getVertices().entrySet()) {
            if (v.getValue() instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof TokenLayer layer) {
                org.deeplearning4j.nn.api.Layer live = graph.getLayer(v.getKey());
                layer.checkpointKeys().forEach((param, key) -> params.put(key, live.getParam(param)));
            }
        }
        return params;
    }

    private static PoolingHead takeHead(ModelConfig c, Map<String, INDArray> remaining, List<String> problems) {
        long d = c.embedDim();
        INDArray normW = take(remaining, "fc_norm.weight", new long[] {d}, problems);
        INDArray normB = take(remaining, "fc_norm.bias", new long[] {d}, problems);
        INDArray headW = null;
        INDArray headB = null;
        if (c.numClasses() > 0) {
            headW = take(remaining, "head.weight", new long[] {c.numClasses(), d}, problems);
            headB = take(remaining, "head.bias", new long[] {c.numClasses()}, problems);
        }
        return new PoolingHead(normW, normB, headW, headB, c.layerNormEps());
    }

    private static INDArray take(Map<String, INDArray> remaining, String key, long[] shape, List<String> problems) {
        INDArray tensor = remaining.remove(key);
        if (tensor == null) {
            problems.add("missing tensor '" + key + "' " + Arrays.toString(shape));
            return null;
        }
        if (!Arrays.equals(tensor.shape(), shape)) {
            problems.add(mismatch(key, tensor, shape));
            return null;
        }
        return tensor.castTo(DataType.FLOAT);
    }

    private static void checkPositions(ModelConfig c, INDArray stored, List<String> problems) {
        if (stored == null) {
            return; // fixed, recomputed: optional in a checkpoint
        }
        INDArray expected = positions(c);
        long[] shape = {1, c.numPatches(), c.embedDim()};
        if (!Arrays.equals(stored.shape(), shape)) {
            problems.add(mismatch("pos_embed", stored, shape));
            return;
        }
        double diff = stored.castTo(DataType.FLOAT)
                .reshape(expected.shape())
                .sub(expected)
                .amaxNumber()
                .doubleValue();
        if (diff > POS_EMBED_TOLERANCE) {
            problems.add("tensor 'pos_embed' differs from the fixed 2D sin-cos table by " + diff
                    + " (data2vec 2.0 positions are not learned)");
        }
    }

    private static INDArray positions(ModelConfig c) {
        return Nd4j.create(SinCosPositions.table(c.gridSize(), c.embedDim()));
    }

    private static String mismatch(String key, INDArray tensor, long[] expected) {
        return "tensor '" + key + "' has shape " + Arrays.toString(tensor.shape()) + " but the model expects "
                + Arrays.toString(expected);
    }
}
