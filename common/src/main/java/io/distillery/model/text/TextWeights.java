package io.distillery.model.text;

import io.distillery.checkpoint.CheckpointFormatException;
import io.distillery.checkpoint.DType;
import io.distillery.checkpoint.SafetensorsFile;
import io.distillery.checkpoint.SafetensorsWriter;
import io.distillery.model.LayerInheritance;
import io.distillery.model.VertexNames;
import io.distillery.model.bert.BertConfig;
import io.distillery.model.bert.BertWeights;
import io.distillery.numerics.FiniteValues;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves weights between a {@link TextEncoderGraph} and Hugging Face BERT tensors. Every graph parameter has a
 * transformers name; the packed qkv projection of an attention layer is three of them (query, key, value rows), so
 * the map from names to live parameter views ({@link #graphParams}) serves loading (assign) and export (copy) alike.
 */
public final class TextWeights {
    private static final Logger LOG = LoggerFactory.getLogger(TextWeights.class);
    /** The base model's prefix in a task model's checkpoint (BertForMaskedLM, BertForPreTraining, ...). */
    public static final String BERT_PREFIX = "bert.";

    public static final String LAYER_STEM = "encoder.layer.";
    private static final String HEAD = "cls.predictions.";
    private static final String HEAD_DECODER = HEAD + "decoder.weight";

    private TextWeights() {}

    /** Transformers' name (encoder without the {@code bert.} prefix, head as {@code cls.predictions.*}) to view. */
    public static Map<String, INDArray> graphParams(ComputationGraph graph) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        Layer embed = graph.getLayer(VertexNames.EMBED);
        out.put("embeddings.word_embeddings.weight", embed.getParam("wordW"));
        out.put("embeddings.position_embeddings.weight", embed.getParam("posW"));
        out.put("embeddings.token_type_embeddings.weight", embed.getParam("typeW"));
        out.put("embeddings.LayerNorm.weight", vector(embed.getParam("normW")));
        out.put("embeddings.LayerNorm.bias", vector(embed.getParam("normB")));
        for (int n = 0; graph.getVertex(VertexNames.block(n)) != null; n++) {
            String p = LAYER_STEM + n + ".";
            Layer attention = graph.getLayer(VertexNames.attention(n));
            INDArray qkvW = attention.getParam("qkvW");
            INDArray qkvB = vector(attention.getParam("qkvB"));
            long d = qkvW.size(1);
            String[] parts = {"query", "key", "value"};
            for (int k = 0; k < 3; k++) {
                String name = p + "attention.self." + parts[k];
                out.put(name + ".weight", qkvW.get(NDArrayIndex.interval(k * d, (k + 1) * d), NDArrayIndex.all()));
                out.put(name + ".bias", qkvB.get(NDArrayIndex.interval(k * d, (k + 1) * d)));
            }
            linear(out, p + "attention.output.dense", attention, "projW", "projB");
            norm(out, p + "attention.output.LayerNorm", attention, "norm1W", "norm1B");
            Layer mlp = graph.getLayer(VertexNames.mlp(n));
            linear(out, p + "intermediate.dense", mlp, "fc1W", "fc1B");
            linear(out, p + "output.dense", mlp, "fc2W", "fc2B");
            norm(out, p + "output.LayerNorm", graph.getLayer(VertexNames.block(n)), "norm2W", "norm2B");
        }
        if (graph.getVertex(TextEncoderGraph.MLM_HEAD) != null) {
            Layer head = graph.getLayer(TextEncoderGraph.MLM_HEAD);
            linear(out, HEAD + "transform.dense", head, "denseW", "denseB");
            norm(out, HEAD + "transform.LayerNorm", head, "normW", "normB");
            out.put(HEAD_DECODER, head.getParam("decoderW"));
            out.put(HEAD + "bias", vector(head.getParam("decoderB")));
        }
        return out;
    }

    /** Loads a checkpoint of the graph's own depth into it ({@link #load(ComputationGraph, BertConfig, Path, int[])}). */
    public static void load(ComputationGraph graph, BertConfig config, Path checkpoint) {
        int[] all = new int[config.numLayers()];
        Arrays.setAll(all, i -> i);
        load(graph, config, checkpoint, all);
    }

    /**
     * Loads a Hugging Face BERT checkpoint into {@code graph}, source layer {@code layers[k]} into graph layer k
     * (layer inheritance: DistilBERT's initialisation is every other layer, {0, 2, 4, 6, 8, 10} of 12). Names with or
     * without {@code bert.} are read by {@link BertWeights} (strictly, against {@code source}, the checkpoint's
     * config); the pooler is skipped. An MLM head in the graph takes {@code cls.predictions.*} when the checkpoint
     * has them; its decoder weight, which transformers ties to the word embeddings and usually does not store, is
     * then a copy of the word embeddings; without {@code cls.predictions.*} only the decoder weight is set so.
     *
     * @throws CheckpointFormatException when the graph needs a tensor the checkpoint lacks, or shapes differ
     */
    public static void load(ComputationGraph graph, BertConfig source, Path checkpoint, int[] layers) {
        Map<String, INDArray> read = new LinkedHashMap<>(BertWeights.read(source, checkpoint));
        read.keySet().removeIf(name -> name.startsWith("pooler."));
        Map<String, INDArray> tensors = LayerInheritance.selectBlocks(read, layers, source.numLayers(), LAYER_STEM);
        Map<String, INDArray> params = graphParams(graph);
        if (params.containsKey(HEAD_DECODER)) {
            tensors.putAll(headTensors(checkpoint));
            tensors.putIfAbsent(HEAD_DECODER, tensors.get("embeddings.word_embeddings.weight"));
            params.keySet().removeIf(name -> name.startsWith(HEAD) && !tensors.containsKey(name));
        }
        List<String> problems = new ArrayList<>();
        List<Runnable> assignments = new ArrayList<>(); // made once every tensor fits: no half-loaded graph
        for (Map.Entry<String, INDArray> e : params.entrySet()) {
            INDArray tensor = tensors.remove(e.getKey());
            INDArray target = e.getValue();
            if (tensor == null) {
                problems.add("missing tensor '" + e.getKey() + "' " + Arrays.toString(target.shape()));
            } else if (!Arrays.equals(tensor.shape(), target.shape())) {
                problems.add("tensor '" + e.getKey() + "' has shape " + Arrays.toString(tensor.shape())
                        + " but the graph expects " + Arrays.toString(target.shape()));
            } else if (!FiniteValues.allFinite(tensor)) {
                problems.add("tensor '" + e.getKey() + "' holds NaN or Inf values; the checkpoint is damaged");
            } else {
                assignments.add(() -> target.assign(tensor.castTo(target.dataType())));
            }
        }
        tensors.keySet().forEach(name -> problems.add("unexpected tensor '" + name + "' for the graph"));
        if (!problems.isEmpty()) {
            String more = problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problems)" : "";
            throw new CheckpointFormatException(checkpoint + ": " + problems.get(0) + more);
        }
        assignments.forEach(Runnable::run);
        LOG.info(
                "loaded {} (layers {}) into a {}-layer text graph",
                checkpoint,
                Arrays.toString(layers),
                countLayers(graph));
    }

    /** The head's tensors of a BertForMaskedLM / BertForPreTraining checkpoint (empty when it has none). */
    private static Map<String, INDArray> headTensors(Path checkpoint) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        try (SafetensorsFile file = SafetensorsFile.open(checkpoint)) {
            for (String name : file.names()) {
                if (name.startsWith(HEAD + "transform.") || name.equals(HEAD + "bias") || name.equals(HEAD_DECODER)) {
                    out.put(name, file.readArray(name));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(checkpoint + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Every tensor of the graph (copies), the encoder's under {@code bert.}, as BertForMaskedLM names them. */
    public static Map<String, INDArray> export(ComputationGraph graph) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        graphParams(graph)
                .forEach((name, view) -> out.put(name.startsWith(HEAD) ? name : BERT_PREFIX + name, view.dup()));
        // q, k and v sliced again from C-order copies of the fused tensors: ND4J can return an empty row slice of
        // the parameter view (seen for value.weight of a parameter-averaged 2 x 32 MLM graph)
        for (int n = 0; graph.getVertex(VertexNames.block(n)) != null; n++) {
            Layer attention = graph.getLayer(VertexNames.attention(n));
            INDArray qkvW = attention.getParam("qkvW").dup('c');
            INDArray qkvB = attention.getParam("qkvB").dup('c').reshape(-1);
            long d = qkvW.size(1);
            String[] parts = {"query", "key", "value"};
            for (int k = 0; k < 3; k++) {
                String name = BERT_PREFIX + LAYER_STEM + n + ".attention.self." + parts[k];
                out.put(
                        name + ".weight",
                        qkvW.get(NDArrayIndex.interval(k * d, (k + 1) * d), NDArrayIndex.all())
                                .dup('c'));
                out.put(
                        name + ".bias",
                        qkvB.get(NDArrayIndex.interval(k * d, (k + 1) * d)).dup('c'));
            }
        }
        return out;
    }

    /** Writes {@link #export} as a safetensors checkpoint. */
    public static void write(ComputationGraph graph, Path target, DType dtype) throws IOException {
        SafetensorsWriter writer = new SafetensorsWriter();
        export(graph).forEach((name, tensor) -> writer.addArray(name, tensor, dtype));
        writer.metadata(Map.of("format", "pt")).write(target);
    }

    private static int countLayers(ComputationGraph graph) {
        int n = 0;
        while (graph.getVertex(VertexNames.block(n)) != null) {
            n++;
        }
        return n;
    }

    private static void linear(Map<String, INDArray> out, String name, Layer layer, String weight, String bias) {
        out.put(name + ".weight", layer.getParam(weight));
        out.put(name + ".bias", vector(layer.getParam(bias)));
    }

    private static void norm(Map<String, INDArray> out, String name, Layer layer, String weight, String bias) {
        out.put(name + ".weight", vector(layer.getParam(weight)));
        out.put(name + ".bias", vector(layer.getParam(bias)));
    }

    /** DL4J keeps bias-like parameters as [1, n]; transformers as [n]. A view, so assignments reach the graph. */
    private static INDArray vector(INDArray param) {
        return param.reshape(param.length());
    }
}
