package io.distillery.model;

import java.util.List;
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
 */
public record EncoderActivations(INDArray embeddings, INDArray blockInput, List<INDArray> blockOutputs,
                                 List<INDArray> mlpOutputs, List<INDArray> ffnBranches) {

    public INDArray lastBlockOutput() {
        return blockOutputs.get(blockOutputs.size() - 1);
    }
}
