package io.distillery.model.clip;

import io.distillery.model.kernels.LayerNormKernel;
import io.distillery.model.kernels.LinearKernel;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * open_clip's text tower of {@code CLIP} ({@code _encode_text}) at inference: token plus learned position
 * embeddings, the {@link ClipBlock}s under the causal mask, ln_final, pooling at each row's highest token id (the
 * first one when it repeats, as {@code torch.argmax}; the real vocabulary's EOT 49407 is its highest id) and
 * {@code @ text_projection}. Shorter rows than the context length run as open_clip's {@code TextTransformer} does
 * (positions and mask cut to the length), which with the causal mask gives the same numbers as padding them.
 */
final class ClipTextTower {
    private final ClipTextConfig config;
    private final boolean quickGelu;
    private final INDArray tokenEmbedding;
    private final INDArray positions;
    private final List<ClipBlock> blocks;
    private final INDArray lnFinalWeight;
    private final INDArray lnFinalBias;
    private final INDArray projectionRows;

    /** @param projection open_clip's {@code text_projection} [width, embed_dim] (used as {@code x @ proj}) */
    ClipTextTower(
            ClipTextConfig config,
            boolean quickGelu,
            INDArray tokenEmbedding,
            INDArray positions,
            List<ClipBlock> blocks,
            INDArray lnFinalWeight,
            INDArray lnFinalBias,
            INDArray projection) {
        this.config = config;
        this.quickGelu = quickGelu;
        this.tokenEmbedding = tokenEmbedding;
        this.positions = positions;
        this.blocks = List.copyOf(blocks);
        this.lnFinalWeight = lnFinalWeight;
        this.lnFinalBias = lnFinalBias;
        this.projectionRows = projection.transpose().dup('c'); // [embed_dim, width], a Linear weight
    }

    ClipTowerOutputs forward(int[][] tokenIds, boolean keepHiddenStates) {
        int batch = tokenIds.length;
        int tokens = checkedLength(tokenIds);
        int width = config.width();
        int[] flat = new int[batch * tokens];
        int[] pooledRows = new int[batch];
        for (int b = 0; b < batch; b++) {
            int[] row = tokenIds[b];
            int argmax = 0;
            for (int t = 0; t < tokens; t++) {
                if (row[t] < 0 || row[t] >= config.vocabSize()) {
                    throw new IllegalArgumentException("token id " + row[t] + " at [" + b + ", " + t
                            + "] is outside the vocabulary of " + config.vocabSize() + " (text_cfg.vocab_size)");
                }
                if (row[t] > row[argmax]) {
                    argmax = t;
                }
                flat[b * tokens + t] = row[t];
            }
            pooledRows[b] = b * tokens + argmax;
        }
        INDArray x = ClipImageTower.detached(DataType.FLOAT, (long) batch * tokens, width);
        Nd4j.pullRows(tokenEmbedding, x, 1, flat);
        INDArray table = positions
                .get(NDArrayIndex.interval(0, tokens), NDArrayIndex.all())
                .dup('c');
        x.reshape('c', batch, (long) tokens * width).addiRowVector(table.reshape((long) tokens * width));
        table.close();
        INDArray causal = causalMask(config.heads(), tokens);
        List<INDArray> hidden = new ArrayList<>();
        ClipImageTower.keep(hidden, keepHiddenStates, x, batch, tokens);
        for (ClipBlock block : blocks) {
            block.forwardInPlace(x, batch, tokens, config.heads(), quickGelu, causal);
            ClipImageTower.keep(hidden, keepHiddenStates, x, batch, tokens);
        }
        causal.close();
        INDArray pooled = Nd4j.pullRows(x, 1, pooledRows);
        x.close();
        // ln_final is per token: normalising only the pooled rows gives the numbers of normalising all
        LayerNormKernel.forward(pooled, lnFinalWeight, lnFinalBias, ClipConfig.LAYER_NORM_EPS, pooled, null, null);
        INDArray features = ClipImageTower.detached(DataType.FLOAT, batch, projectionRows.size(0));
        LinearKernel.forward(pooled, projectionRows, null, features);
        pooled.close();
        return new ClipTowerOutputs(features, hidden);
    }

    private int checkedLength(int[][] tokenIds) {
        if (tokenIds.length == 0) {
            throw new IllegalArgumentException("empty batch of token ids");
        }
        int tokens = tokenIds[0].length;
        for (int b = 0; b < tokenIds.length; b++) {
            if (tokenIds[b].length != tokens) {
                throw new IllegalArgumentException("row " + b + " has " + tokenIds[b].length + " token ids, row 0 has "
                        + tokens + ": pad the batch to one length");
            }
        }
        if (tokens < 1 || tokens > config.contextLength()) {
            throw new IllegalArgumentException(tokens + " token ids per row, but the text tower takes 1 to "
                    + config.contextLength() + " (text_cfg.context_length)");
        }
        return tokens;
    }

    /** open_clip's build_causal_mask for every head, flat [H*T*T]: -inf above the diagonal, 0 elsewhere. */
    private static INDArray causalMask(int heads, int tokens) {
        float[] mask = new float[heads * tokens * tokens];
        for (int h = 0; h < heads; h++) {
            for (int q = 0; q < tokens; q++) {
                for (int k = q + 1; k < tokens; k++) {
                    mask[(h * tokens + q) * tokens + k] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        return Nd4j.create(mask, new long[] {mask.length}, 'c');
    }
}
