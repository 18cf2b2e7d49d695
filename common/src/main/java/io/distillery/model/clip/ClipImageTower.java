package io.distillery.model.clip;

import io.distillery.model.kernels.LayerNormKernel;
import io.distillery.model.kernels.LinearKernel;
import io.distillery.model.kernels.PatchEmbeddingMath;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * open_clip's {@code VisionTransformer} at inference with the defaults of a standard ViT CLIP: conv1 (no bias) as
 * patchify + one gemm ({@link PatchEmbeddingMath}), the class embedding as token 0, learned positions on every
 * token, ln_pre, the {@link ClipBlock}s, ln_post on the class token and {@code @ proj}.
 */
final class ClipImageTower {
    private final ClipVisionConfig config;
    private final boolean quickGelu;
    private final Map<String, INDArray> patchEmbedding;
    private final INDArray positions;
    private final INDArray lnPreWeight;
    private final INDArray lnPreBias;
    private final List<ClipBlock> blocks;
    private final INDArray lnPostWeight;
    private final INDArray lnPostBias;
    private final INDArray projectionRows;

    /**
     * @param projection open_clip's {@code proj} [width, embed_dim] (used as {@code x @ proj})
     */
    ClipImageTower(
            ClipVisionConfig config,
            boolean quickGelu,
            INDArray conv1Weight,
            INDArray classEmbedding,
            INDArray positions,
            INDArray lnPreWeight,
            INDArray lnPreBias,
            List<ClipBlock> blocks,
            INDArray lnPostWeight,
            INDArray lnPostBias,
            INDArray projection) {
        this.config = config;
        this.quickGelu = quickGelu;
        this.patchEmbedding = Map.of("projW", conv1Weight, "cls", classEmbedding);
        this.positions = positions.reshape((long) config.tokens() * config.width());
        this.lnPreWeight = lnPreWeight;
        this.lnPreBias = lnPreBias;
        this.blocks = List.copyOf(blocks);
        this.lnPostWeight = lnPostWeight;
        this.lnPostBias = lnPostBias;
        this.projectionRows = projection.transpose().dup('c'); // [embed_dim, width], a Linear weight
    }

    ClipTowerOutputs forward(INDArray pixels, boolean keepHiddenStates) {
        int size = config.imageSize();
        if (pixels.rank() != 4
                || pixels.size(0) < 1
                || pixels.size(1) != 3
                || pixels.size(2) != size
                || pixels.size(3) != size) {
            throw new IllegalArgumentException(
                    "pixels must be [batch, 3, " + size + ", " + size + "], got " + Arrays.toString(pixels.shape()));
        }
        int batch = Math.toIntExact(pixels.size(0));
        int tokens = config.tokens();
        int width = config.width();
        INDArray input = pixels.dataType() == DataType.FLOAT ? pixels : pixels.castTo(DataType.FLOAT);
        INDArray embedded = new PatchEmbeddingMath(size, config.patchSize(), 3, width, null)
                .forward(input, patchEmbedding, null, ClipImageTower::detached);
        embedded.addiRowVector(positions);
        INDArray x = embedded.reshape('c', (long) batch * tokens, width);
        LayerNormKernel.forward(x, lnPreWeight, lnPreBias, ClipConfig.LAYER_NORM_EPS, x, null, null);
        List<INDArray> hidden = new ArrayList<>();
        keep(hidden, keepHiddenStates, x, batch, tokens);
        for (ClipBlock block : blocks) {
            block.forwardInPlace(x, batch, tokens, config.heads(), quickGelu, null);
            keep(hidden, keepHiddenStates, x, batch, tokens);
        }
        INDArray pooled = embedded.get(NDArrayIndex.all(), NDArrayIndex.interval(0, width))
                .dup('c');
        embedded.close();
        LayerNormKernel.forward(pooled, lnPostWeight, lnPostBias, ClipConfig.LAYER_NORM_EPS, pooled, null, null);
        INDArray features = detached(DataType.FLOAT, batch, projectionRows.size(0));
        LinearKernel.forward(pooled, projectionRows, null, features);
        pooled.close();
        return new ClipTowerOutputs(features, hidden);
    }

    static void keep(List<INDArray> hidden, boolean keep, INDArray x, int batch, int tokens) {
        if (keep) {
            INDArray copy = detached(x.dataType(), batch, tokens, x.size(1));
            copy.reshape('c', x.size(0), x.size(1)).assign(x);
            hidden.add(copy);
        }
    }

    /** A result array outside any workspace the caller may have open: it outlives the pass. */
    static INDArray detached(DataType type, long... shape) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return Nd4j.createUninitialized(type, shape);
        }
    }
}
