package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Closes a block from the merged [residual ; FFN branch] input [B, 2*T*D]: BEiT {@code r + gamma2 * m},
 * data2vec 2.0 {@code norm2(r + m)}. Parameter names are those of {@link io.distillery.model.layers.ResidualJoin}.
 */
public final class ResidualJoinMath implements NativeLayerMath {
    private final boolean beit;
    private final int tokens;
    private final int dim;
    private final double eps;

    public ResidualJoinMath(boolean beit, int tokens, int dim, double eps) {
        this.beit = beit;
        this.tokens = tokens;
        this.dim = dim;
        this.eps = eps;
    }

    /** Part 0 (residual) or 1 (branch) of the merged input, as a [B, T*D] view (row pitch 2*T*D). */
    private INDArray part(INDArray merged, int which) {
        long td = (long) tokens * dim;
        return merged.get(NDArrayIndex.all(), NDArrayIndex.interval(which * td, (which + 1) * td));
    }

    @Override
    public INDArray forward(INDArray input, Map<String, INDArray> p, SavedTensors saved, OutputAllocator output) {
        long batch = input.size(0);
        long td = (long) tokens * dim;
        INDArray out = output.create(input.dataType(), batch, td);
        if (beit && FloatNorms.applies(input, out, p.get("gamma2"))) {
            FloatNorms.scaledResidual(input, p.get("gamma2"), tokens, out);
            return out;
        }
        if (beit) {
            // r + m * gamma2: gamma2 tiled over the tokens so that one broadcast along the rows does it
            INDArray tiled = Blas.vector(p.get("gamma2"))
                    .reshape(1, dim)
                    .repeat(0, tokens)
                    .reshape(td);
            Nd4j.exec(new BroadcastMulOp(part(input, 1), tiled, out, 1));
            out.addi(part(input, 0));
            Release.close(tiled);
            return out;
        }
        if (FloatNorms.applies(input, out)) {
            FloatNorms.halvesSum(input, (int) td, out);
        } else {
            part(input, 0).add(part(input, 1), out);
        }
        INDArray rows = out.reshape('c', batch * tokens, dim);
        LayerNormKernel.forward(rows, p.get("norm2W"), p.get("norm2B"), eps, rows, saved, "norm2");
        return out;
    }

    /**
     * Inference from the two halves as separate dense [B, T*D] arrays (no merged copy): the block's output, and for
     * BEiT {@code gamma2 * m} into {@code scaledBranch} when non-null (computed anyway, so the FFN target tensor
     * costs no extra pass). Null when the fused float path does not apply; the caller then merges and runs
     * {@link #forward}.
     */
    INDArray join(
            INDArray residual,
            INDArray branch,
            Map<String, INDArray> p,
            OutputAllocator output,
            INDArray scaledBranch) {
        long batch = residual.size(0);
        long td = (long) tokens * dim;
        if (!FloatNorms.applies(residual, branch, scaledBranch, beit ? p.get("gamma2") : null)
                || residual.size(1) != td) {
            return null;
        }
        INDArray out = output.create(residual.dataType(), batch, td);
        if (beit) {
            FloatNorms.scaledResidual(residual, branch, p.get("gamma2"), tokens, out, scaledBranch);
            return out;
        }
        FloatNorms.sum(residual, branch, (int) td, out);
        INDArray rows = out.reshape('c', batch * tokens, dim);
        LayerNormKernel.forward(rows, p.get("norm2W"), p.get("norm2B"), eps, rows, null, "norm2");
        return out;
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
        long td = (long) tokens * dim;
        INDArray dIn = inputGrad.create(epsilon.dataType(), batch, 2 * td);
        if (beit) {
            INDArray product = Buffers.scratch().obtain("join.product", epsilon.dataType(), batch, td);
            epsilon.mul(part(input, 1), product);
            Blas.columnSums(product.reshape('c', batch * tokens, dim), g.get("gamma2"));
            part(dIn, 0).assign(epsilon);
            INDArray tiled = Blas.vector(p.get("gamma2"))
                    .reshape(1, dim)
                    .repeat(0, tokens)
                    .reshape(td);
            Nd4j.exec(new BroadcastMulOp(epsilon, tiled, part(dIn, 1), 1));
            Release.close(tiled);
            return dIn;
        }
        INDArray dSum = Buffers.scratch().obtain("join.dSum", epsilon.dataType(), batch * tokens, dim);
        LayerNormKernel.backward(
                Blas.rows(epsilon, batch * tokens, dim),
                saved.norm("norm2"),
                p.get("norm2W"),
                g.get("norm2W"),
                g.get("norm2B"),
                dSum);
        INDArray flat = dSum.reshape('c', batch, td);
        if (FloatNorms.applies(flat, dIn)) {
            FloatNorms.duplicateIntoHalves(flat, (int) td, dIn);
            return dIn;
        }
        part(dIn, 0).assign(flat);
        part(dIn, 1).assign(flat);
        return dIn;
    }
}
