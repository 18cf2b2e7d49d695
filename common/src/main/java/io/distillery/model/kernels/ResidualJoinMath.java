package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
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

    /** Part 0 (residual) or 1 (branch) of the merged input, as a [B, T, D] view. */
    private INDArray part(INDArray merged, int which) {
        long td = (long) tokens * dim;
        return merged.get(NDArrayIndex.all(), NDArrayIndex.interval(which * td, (which + 1) * td))
                .reshape(merged.size(0), tokens, dim);
    }

    @Override
    public INDArray forward(INDArray input, Map<String, INDArray> p, SavedTensors saved) {
        long batch = input.size(0);
        INDArray residual = part(input, 0);
        INDArray branch = part(input, 1);
        INDArray output = Nd4j.createUninitialized(input.dataType(), batch, (long) tokens * dim);
        INDArray out = output.reshape('c', batch, tokens, dim);
        if (beit) {
            branch.mul(p.get("gamma2").reshape(1, 1, dim), out);
            out.addi(residual);
            return output;
        }
        residual.add(branch, out);
        INDArray rows = output.reshape('c', batch * tokens, dim);
        LayerNormKernel.Saved[] norm = saved != null ? new LayerNormKernel.Saved[1] : null;
        LayerNormKernel.forward(rows, p.get("norm2W"), p.get("norm2B"), eps, rows, norm);
        if (saved != null) {
            saved.putNorm("norm2", norm[0]);
        }
        return output;
    }

    @Override
    public INDArray backward(INDArray epsilon, INDArray input, Map<String, INDArray> p, Map<String, INDArray> g,
                             SavedTensors saved) {
        long batch = epsilon.size(0);
        INDArray dIn = Nd4j.createUninitialized(epsilon.dataType(), batch, 2L * tokens * dim);
        INDArray dOut = epsilon.reshape(batch, tokens, dim);
        if (beit) {
            INDArray product = dOut.mul(part(input, 1));
            Blas.columnSums(product.reshape('c', batch * tokens, dim), g.get("gamma2"));
            Release.close(product);
            part(dIn, 0).assign(dOut);
            dOut.mul(p.get("gamma2").reshape(1, 1, dim), part(dIn, 1));
            return dIn;
        }
        INDArray dResidual = part(dIn, 0);
        INDArray dSum = LayerNormKernel.backward(Blas.rows(epsilon, batch * tokens, dim), saved.norm("norm2"),
                p.get("norm2W"), g.get("norm2W"), g.get("norm2B"));
        dResidual.assign(dSum.reshape(batch, tokens, dim));
        part(dIn, 1).assign(dResidual);
        Release.close(dSum);
        return dIn;
    }
}
