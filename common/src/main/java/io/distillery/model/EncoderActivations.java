package io.distillery.model;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one forward pass exposes, every tensor {@code [B, T, D]} with token 0 = CLS.
 *
 * @param embeddings   [cls ; patches (+ positions)] before any norm
 * @param blockInput   tokens entering block 1 (data2vec 2.0: after the embedding LayerNorm; BEiT: = embeddings)
 * @param blockOutputs residual stream after each block
 * @param mlpOutputs   each block's plain {@code mlp(.)} output
 * @param ffnBranches  what each block adds to its residual through the FFN (BEiT: gamma_2 * mlp; data2vec 2.0:
 *                     mlp): data2vec's {@code ffn} target tensor
 * @param attention    0-based block to its attention probabilities {@code [B, H, T, T]} (query rows, key columns,
 *                     each row sums to 1), only for the blocks asked for in {@link Encoder#forward(INDArray,
 *                     java.util.Set)}
 * @param owned        the arrays behind those tensors (which may be reshaped views of them), freed by {@link #close}
 * @param recycle      takes the owned arrays at {@link #close} for the encoder's next pass; null: they are freed
 */
public record EncoderActivations(
        INDArray embeddings,
        INDArray blockInput,
        List<INDArray> blockOutputs,
        List<INDArray> mlpOutputs,
        List<INDArray> ffnBranches,
        Map<Integer, INDArray> attention,
        List<INDArray> owned,
        Consumer<List<INDArray>> recycle)
        implements AutoCloseable {

    public EncoderActivations(
            INDArray embeddings,
            INDArray blockInput,
            List<INDArray> blockOutputs,
            List<INDArray> mlpOutputs,
            List<INDArray> ffnBranches) {
        this(embeddings, blockInput, blockOutputs, mlpOutputs, ffnBranches, Map.of(), List.of(), null);
    }

    public INDArray lastBlockOutput() {
        return blockOutputs.get(blockOutputs.size() - 1);
    }

    /**
     * Hands the owned arrays to the encoder's next pass (or frees their native memory now rather than at a later
     * GC), so that the next batch does not fault in fresh pages (a teacher pass allocates several batch-sized
     * tensors per block). The tensors must not be used afterwards; views and arrays that cannot be closed are left
     * alone.
     */
    @Override
    public void close() {
        java.util.Set<INDArray> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        seen.add(embeddings);
        seen.add(blockInput);
        seen.addAll(blockOutputs);
        seen.addAll(mlpOutputs);
        seen.addAll(ffnBranches);
        seen.addAll(attention.values());
        seen.addAll(owned);
        if (recycle != null) {
            owned.forEach(seen::remove);
            recycle.accept(owned);
        }
        for (INDArray a : seen) {
            if (a != null && !a.wasClosed() && a.closeable()) {
                a.close();
            }
        }
    }
}
