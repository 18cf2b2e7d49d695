package io.distillery.model.bert;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a BERT forward pass hands back, as Hugging Face's {@code BertModel(..., output_hidden_states=True,
 * output_attentions=True)} does: float32 arrays owned by the caller.
 */
public final class BertOutputs implements AutoCloseable {
    private final List<INDArray> hiddenStates;
    private final List<INDArray> ffnOutputs;
    private final INDArray pooled;
    private final Map<Integer, INDArray> attentions;
    private final List<INDArray> owned;

    BertOutputs(
            List<INDArray> hiddenStates,
            List<INDArray> ffnOutputs,
            INDArray pooled,
            Map<Integer, INDArray> attentions,
            List<INDArray> owned) {
        this.hiddenStates = List.copyOf(hiddenStates);
        this.ffnOutputs = List.copyOf(ffnOutputs);
        this.pooled = pooled;
        this.attentions = Map.copyOf(attentions);
        this.owned = List.copyOf(owned);
    }

    /** The embedding output, then each layer's output: L + 1 arrays [B, T, D]. */
    public List<INDArray> hiddenStates() {
        return hiddenStates;
    }

    /**
     * Each layer's FFN branch {@code output.dense(intermediate(a))}, before the residual and the output LayerNorm
     * (data2vec's {@code ffn} targets): L arrays [B, T, D] when the pass was asked to keep them, else empty.
     */
    public List<INDArray> ffnOutputs() {
        return ffnOutputs;
    }

    /** The embedding output [B, T, D] (hidden state 0). */
    public INDArray embeddings() {
        return hiddenStates.get(0);
    }

    /** The last layer's output [B, T, D]. */
    public INDArray lastHiddenState() {
        return hiddenStates.get(hiddenStates.size() - 1);
    }

    /** {@code tanh(dense(last_hidden_state[:, 0]))} [B, D]; null when the checkpoint has no pooler. */
    public INDArray pooled() {
        return pooled;
    }

    /**
     * 0-based layer to its attention probabilities [B, H, T, T] (query rows, key columns), for the layers asked
     * for.
     */
    public Map<Integer, INDArray> attentions() {
        return attentions;
    }

    /** Frees every array now instead of at the next garbage collection; none may be used afterwards. */
    @Override
    public void close() {
        for (INDArray a : owned) {
            if (!a.wasClosed() && a.closeable()) {
                a.close();
            }
        }
    }
}
