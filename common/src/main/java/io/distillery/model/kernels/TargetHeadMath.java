package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The student's data2vec target ({@link io.distillery.student.StudentTargetHead}): instance norm over the tokens
 * of each chosen block tensor, average over blocks, optional projection W_h, parameter-free layer norm.
 * Input [B, (L+u)*T*D] (the last u tensors are ignored), output [B, T'*D_t].
 */
public final class TargetHeadMath implements NativeLayerMath {
    private final int blocks;
    private final int unused;
    private final int tokens;
    private final int dim;
    private final int targetDim;
    private final boolean dropCls;
    private final double eps;

    public TargetHeadMath(int blocks, int unused, int tokens, int dim, int targetDim, boolean dropCls, double eps) {
        this.blocks = blocks;
        this.unused = unused;
        this.tokens = tokens;
        this.dim = dim;
        this.targetDim = targetDim;
        this.dropCls = dropCls;
        this.eps = eps;
    }

    private int kept() {
        return dropCls ? tokens - 1 : tokens;
    }

    /** The L chosen block tensors, without CLS when dropped: a [B, L, T', D] view. */
    private INDArray chosen(INDArray merged) {
        INDArray x = merged.reshape(merged.size(0), blocks + unused, tokens, dim);
        return x.get(NDArrayIndex.all(), NDArrayIndex.interval(0, blocks),
                NDArrayIndex.interval(dropCls ? 1 : 0, tokens), NDArrayIndex.all());
    }

    @Override
    public INDArray forward(INDArray input, Map<String, INDArray> p, SavedTensors saved) {
        long batch = input.size(0);
        INDArray x = chosen(input);
        INDArray mean = x.mean(true, 2);
        INDArray normalized = x.sub(mean); // [B, L, T', D]
        Release.close(mean);
        INDArray inverseStd = normalized.mul(normalized).mean(true, 2).addi(eps);
        Transforms.pow(inverseStd, -0.5, false);
        normalized.muli(inverseStd);
        INDArray average = normalized.mean(1).reshape('c', batch * kept(), dim);
        INDArray projected = average;
        if (dim != targetDim) {
            projected = LinearKernel.forward(average, p.get("projW"), p.get("projB"));
        }
        LayerNormKernel.Saved[] norm = saved != null ? new LayerNormKernel.Saved[1] : null;
        INDArray out = LayerNormKernel.forward(projected, null, null, eps, norm);
        if (saved != null) {
            saved.put("normalized", normalized);
            saved.put("inverseStd", inverseStd);
            saved.put("average", average);
            saved.putNorm("out", norm[0]);
        } else {
            Release.close(normalized, inverseStd, average);
        }
        if (projected != average) {
            Release.close(projected);
        }
        return out.reshape('c', batch, (long) kept() * targetDim);
    }

    @Override
    public INDArray backward(INDArray epsilon, INDArray input, Map<String, INDArray> p, Map<String, INDArray> g,
                             SavedTensors saved) {
        long batch = epsilon.size(0);
        INDArray dProjected = LayerNormKernel.backward(Blas.rows(epsilon, batch * kept(), targetDim),
                saved.norm("out"), null, null, null);
        INDArray dAverage = dProjected;
        if (dim != targetDim) {
            dAverage = LinearKernel.backward(dProjected, saved.get("average"), p.get("projW"), g.get("projW"),
                    g.get("projB"), true);
            Release.close(dProjected);
        }
        // d(mean over L) spreads 1/L to every block; then instance-norm backward over the tokens (axis 2)
        INDArray z = saved.get("normalized");
        INDArray dz = dAverage.reshape('c', batch, 1, kept(), dim).div(blocks);
        Release.close(dAverage);
        INDArray dzFull = dz.broadcast(batch, blocks, kept(), dim);
        INDArray meanDz = dzFull.mean(true, 2);
        INDArray meanDzZ = z.mul(dzFull).mean(true, 2);
        INDArray dx = dzFull.sub(meanDz).subi(z.mul(meanDzZ)).muli(saved.get("inverseStd"));
        Release.close(dz, meanDz, meanDzZ);
        INDArray dInput = Nd4j.zeros(input.dataType(), input.shape());
        chosen(dInput).assign(dx);
        Release.close(dx);
        return dInput;
    }
}
