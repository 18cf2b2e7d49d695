package io.distillery.model.bert;

import io.distillery.model.kernels.BertEmbeddingMath;
import io.distillery.model.kernels.BertLayerMath;
import io.distillery.model.kernels.KeyPaddingMask;
import io.distillery.model.kernels.LinearKernel;
import io.distillery.model.kernels.OutputAllocator;
import io.distillery.text.Encoding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A BERT text encoder (the text teacher), Hugging Face's {@code BertModel} at inference: learned word, position
 * and token type embeddings with a LayerNorm, then post-norm layers of masked multi-head self-attention and an
 * exact-GELU feed-forward network, and an optional pooler. The layers run the native kernels
 * ({@link BertEmbeddingMath}, {@link BertLayerMath}: OpenBLAS gemms on the arrays' buffers, each head a sub-matrix
 * of a packed qkv projection, fused LayerNorm, vectorised GELU and softmax), in float32.
 *
 * <p>Padding follows transformers exactly: the lowest float32 value is added to the attention scores of keys whose
 * attention mask is 0, for every query, so padded positions still produce outputs (they attend to the real tokens of
 * their row) and match Hugging Face's there too. Positions are 0..T-1 whatever the padding (left padding shifts the
 * real tokens' positions, as in transformers).
 *
 * <p>The parameters are only read, and intermediates are per thread: one encoder can run passes from several
 * threads at once.
 */
public final class BertEncoder {
    private final BertConfig config;
    private final Map<String, INDArray> embeddings;
    private final List<Map<String, INDArray>> layers;
    private final INDArray poolerWeight;
    private final INDArray poolerBias;

    BertEncoder(
            BertConfig config,
            Map<String, INDArray> embeddings,
            List<Map<String, INDArray>> layers,
            INDArray poolerWeight,
            INDArray poolerBias) {
        this.config = config;
        this.embeddings = Map.copyOf(embeddings);
        this.layers = List.copyOf(layers);
        this.poolerWeight = poolerWeight;
        this.poolerBias = poolerBias;
    }

    /**
     * Loads a Hugging Face safetensors checkpoint (names with or without the {@code bert.} prefix).
     *
     * @throws io.distillery.checkpoint.CheckpointFormatException naming the file and the first tensor that is
     *                                                           missing, mis-shaped or unexpected
     */
    public static BertEncoder load(BertConfig config, Path checkpoint) {
        return BertWeights.load(config, checkpoint);
    }

    public BertConfig config() {
        return config;
    }

    /** Whether the checkpoint had a pooler, so that {@link BertOutputs#pooled()} is not null. */
    public boolean hasPooler() {
        return poolerWeight != null;
    }

    /**
     * The forward pass on a batch of equally long (padded) encodings from {@link io.distillery.text.WordPieceTokenizer}.
     *
     * @param attentionLayers 0-based layers whose attention probabilities to keep
     */
    public BertOutputs forward(List<Encoding> batch, Set<Integer> attentionLayers) {
        return forward(batch, attentionLayers, false);
    }

    /**
     * {@link #forward(List, Set)}, with each layer's FFN branch in {@link BertOutputs#ffnOutputs()} when
     * {@code keepFfn}.
     */
    public BertOutputs forward(List<Encoding> batch, Set<Integer> attentionLayers, boolean keepFfn) {
        if (batch.isEmpty()) {
            throw new IllegalArgumentException("empty batch");
        }
        int t = batch.get(0).length();
        int b = batch.size();
        int[] ids = new int[b * t];
        int[] mask = new int[b * t];
        int[] types = new int[b * t];
        for (int i = 0; i < b; i++) {
            Encoding e = batch.get(i);
            if (e.length() != t) {
                throw new IllegalArgumentException("encoding " + i + " has " + e.length() + " tokens, encoding 0 has "
                        + t + ": pad the batch to one length");
            }
            System.arraycopy(e.ids(), 0, ids, i * t, t);
            System.arraycopy(e.attentionMask(), 0, mask, i * t, t);
            System.arraycopy(e.typeIds(), 0, types, i * t, t);
        }
        return forward(b, t, ids, mask, types, attentionLayers, keepFfn);
    }

    /** {@link #forward(INDArray, INDArray, INDArray, Set)} without attention probabilities. */
    public BertOutputs forward(INDArray inputIds, INDArray attentionMask, INDArray tokenTypeIds) {
        return forward(inputIds, attentionMask, tokenTypeIds, Set.of());
    }

    /**
     * The forward pass, as {@code BertModel(input_ids, attention_mask, token_type_ids, output_hidden_states=True)}.
     *
     * @param inputIds        [B, T] token ids (any numeric type holding integers)
     * @param attentionMask   [B, T] 1 for real tokens, 0 for padding; null: all 1
     * @param tokenTypeIds    [B, T] segment ids; null: all 0
     * @param attentionLayers 0-based layers whose attention probabilities to keep (for attention transfer)
     */
    public BertOutputs forward(
            INDArray inputIds, INDArray attentionMask, INDArray tokenTypeIds, Set<Integer> attentionLayers) {
        return forward(inputIds, attentionMask, tokenTypeIds, attentionLayers, false);
    }

    /** {@link #forward(INDArray, INDArray, INDArray, Set)}, keeping each layer's FFN branch when {@code keepFfn}. */
    public BertOutputs forward(
            INDArray inputIds,
            INDArray attentionMask,
            INDArray tokenTypeIds,
            Set<Integer> attentionLayers,
            boolean keepFfn) {
        if (inputIds.rank() != 2) {
            throw new IllegalArgumentException(
                    "input ids must be [batch, tokens], got shape " + Arrays.toString(inputIds.shape()));
        }
        int b = Math.toIntExact(inputIds.size(0));
        int t = Math.toIntExact(inputIds.size(1));
        int[] ids = integers("input ids", inputIds, inputIds.shape());
        int[] mask =
                attentionMask == null ? filled(b * t, 1) : integers("attention mask", attentionMask, inputIds.shape());
        int[] types =
                tokenTypeIds == null ? new int[b * t] : integers("token type ids", tokenTypeIds, inputIds.shape());
        return forward(b, t, ids, mask, types, attentionLayers, keepFfn);
    }

    private BertOutputs forward(
            int b, int t, int[] ids, int[] mask, int[] types, Set<Integer> attentionLayers, boolean keepFfn) {
        if (b < 1 || t < 1) {
            throw new IllegalArgumentException("empty input: " + b + " sequences of " + t + " tokens");
        }
        if (t > config.maxPositions()) {
            throw new IllegalArgumentException(
                    t + " tokens, but the model has " + config.maxPositions() + " positions (max_position_embeddings)");
        }
        for (int layer : attentionLayers) {
            if (layer < 0 || layer >= config.numLayers()) {
                throw new IllegalArgumentException("attention layer " + layer + " (0-based) is outside the encoder's "
                        + config.numLayers() + " layers");
            }
        }
        int d = config.hiddenSize();
        int h = config.numHeads();
        double eps = config.layerNormEps();
        DataType type = embeddings.get("wordW").dataType();
        List<INDArray> owned = new ArrayList<>();
        OutputAllocator output = (dataType, shape) -> {
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                INDArray a = Nd4j.createUninitialized(dataType, shape);
                owned.add(a);
                return a;
            }
        };
        KeyPaddingMask keyMask = KeyPaddingMask.of(mask, b, t, type);
        INDArray x = new BertEmbeddingMath(t, d, eps).forward(ids, types, embeddings, output);
        List<INDArray> hidden = new ArrayList<>();
        hidden.add(x.reshape('c', b, t, d));
        List<INDArray> ffn = new ArrayList<>();
        Map<Integer, INDArray> attentions = new TreeMap<>();
        BertLayerMath layerMath = new BertLayerMath(t, d, h, eps);
        for (int n = 0; n < layers.size(); n++) {
            INDArray probs = attentionLayers.contains(n) ? output.create(type, (long) b * h * t, t) : null;
            INDArray ffnOut = keepFfn ? output.create(type, b, (long) t * d) : null;
            x = layerMath.forward(x, layers.get(n), keyMask, output, probs, ffnOut);
            if (ffnOut != null) {
                ffn.add(ffnOut.reshape('c', b, t, d));
            }
            hidden.add(x.reshape('c', b, t, d));
            if (probs != null) {
                attentions.put(n, probs.reshape('c', b, h, t, t));
            }
        }
        INDArray pooled = null;
        if (poolerWeight != null) {
            // BertPooler: tanh(dense(hidden_states[:, 0])), the first ([CLS]) token of each sequence
            INDArray first =
                    x.get(NDArrayIndex.all(), NDArrayIndex.interval(0, d)).dup('c');
            pooled = output.create(type, b, d);
            LinearKernel.forward(first, poolerWeight, poolerBias, pooled);
            Transforms.tanh(pooled, false);
            first.close();
        }
        return new BertOutputs(hidden, ffn, pooled, attentions, owned);
    }

    private static int[] filled(int length, int value) {
        int[] a = new int[length];
        Arrays.fill(a, value);
        return a;
    }

    /** The values of an integer-valued array of the given shape, row-major. */
    private static int[] integers(String what, INDArray array, long[] shape) {
        if (!Arrays.equals(array.shape(), shape)) {
            throw new IllegalArgumentException(what + " have shape " + Arrays.toString(array.shape())
                    + ", the input ids " + Arrays.toString(shape));
        }
        double[] values = array.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + " must hold integers, got " + v + " at flat index " + i);
            }
            out[i] = (int) v;
        }
        return out;
    }
}
