package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Images [B, C, H, W] to tokens [cls ; patches (+ sin-cos positions)] as patchify + one gemm, the same math as
 * {@link io.distillery.model.layers.PatchEmbedding} (Conv2d with kernel = stride = patch).
 */
public final class PatchEmbeddingMath implements NativeLayerMath {
    private final int imgSize;
    private final int patchSize;
    private final int inChans;
    private final int dim;
    private final INDArray positions;

    /** @param positions fixed [N, D] table added to the patches, or null */
    public PatchEmbeddingMath(int imgSize, int patchSize, int inChans, int dim, float[][] positions) {
        this.imgSize = imgSize;
        this.patchSize = patchSize;
        this.inChans = inChans;
        this.dim = dim;
        this.positions = positions == null ? null : Nd4j.create(positions);
    }

    private int grid() {
        return imgSize / patchSize;
    }

    private int tokens() {
        return grid() * grid() + 1;
    }

    private long patchLength() {
        return (long) inChans * patchSize * patchSize;
    }

    /** [B, C, H, W] (or flat) to [B*N, C*p*p] rows, channel-major inside a patch like the conv kernel. */
    private INDArray patchify(INDArray images) {
        int g = grid();
        long batch = images.size(0);
        return images.reshape('c', batch, inChans, g, patchSize, g, patchSize)
                .permute(0, 2, 4, 1, 3, 5)
                .dup('c')
                .reshape('c', batch * g * g, patchLength());
    }

    @Override
    public INDArray forward(INDArray input, Map<String, INDArray> p, SavedTensors saved, OutputAllocator outputs) {
        long batch = input.size(0);
        int n = grid() * grid();
        INDArray patches = patchify(input);
        INDArray kernel = p.get("projW").reshape('c', dim, patchLength());
        INDArray embedded = Buffers.scratch().obtain("patch.embedded", input.dataType(), batch * n, dim);
        LinearKernel.forward(patches, kernel, p.get("projB"), embedded);
        if (positions != null) {
            embedded.reshape('c', batch, (long) n * dim)
                    .addiRowVector(positions.castTo(embedded.dataType()).reshape((long) n * dim));
        }
        INDArray output = outputs.create(input.dataType(), batch, (long) tokens() * dim);
        INDArray out = output.reshape('c', batch, tokens(), dim);
        out.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all())
                .assign(p.get("cls").reshape(1, dim).broadcast(batch, dim));
        out.get(NDArrayIndex.all(), NDArrayIndex.interval(1, tokens()), NDArrayIndex.all())
                .assign(embedded.reshape('c', batch, n, dim));
        if (saved != null) {
            saved.put("patches", patches);
        } else {
            Release.close(patches);
        }
        return output;
    }

    @Override
    public INDArray backward(
            INDArray epsilon,
            INDArray input,
            Map<String, INDArray> p,
            Map<String, INDArray> g,
            SavedTensors saved,
            OutputAllocator inputGrad) {
        long batch = epsilon.size(0);
        int n = grid() * grid();
        INDArray dOut = epsilon.reshape(batch, tokens(), dim);
        g.get("cls")
                .assign(dOut.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all())
                        .sum(0)
                        .reshape(g.get("cls").shape()));
        INDArray dEmbedded = dOut.get(NDArrayIndex.all(), NDArrayIndex.interval(1, tokens()), NDArrayIndex.all())
                .dup('c')
                .reshape('c', batch * n, dim);
        INDArray kernel = p.get("projW").reshape('c', dim, patchLength());
        INDArray kernelGrad = g.get("projW").reshape('c', dim, patchLength());
        INDArray dPatches = Buffers.scratch().obtain("patch.dPatches", input.dataType(), batch * n, patchLength());
        LinearKernel.backward(dEmbedded, saved.get("patches"), kernel, kernelGrad, g.get("projB"), dPatches);
        Release.close(dEmbedded);
        int grid = grid();
        INDArray dImages = inputGrad.create(input.dataType(), input.shape());
        dImages.reshape('c', batch, inChans, grid, patchSize, grid, patchSize)
                .assign(dPatches.reshape('c', batch, grid, grid, inChans, patchSize, patchSize)
                        .permute(0, 3, 1, 4, 2, 5));
        return dImages;
    }
}
