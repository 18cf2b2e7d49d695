package io.distillery.model.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * LayerNorm over the columns of a row-major [N, D] matrix, biased variance (PyTorch's {@code F.layer_norm}); the
 * affine part is optional ({@code weight == null}: plain standardisation, as data2vec's targets use). Results go
 * into caller-given arrays; the only large temporary is freed before returning.
 */
public final class LayerNormKernel {
    private LayerNormKernel() {
    }

    /** What the backward pass needs: the normalised input and 1 / sqrt(var + eps) per row. */
    public record Saved(INDArray normalized, INDArray inverseStd) {
        void release() {
            Release.close(normalized, inverseStd);
        }
    }

    /**
     * @param x     [N, D], not modified
     * @param out   receives y [N, D] (dense, may not alias x)
     * @param saved receives the backward state when non-null (training)
     */
    public static void forward(INDArray x, INDArray weight, INDArray bias, double eps, INDArray out, Saved[] saved) {
        if (FloatNorms.applies(x, out, weight, bias)) {
            INDArray xhat = null;
            INDArray inverseStd = null;
            if (saved != null) {
                xhat = Nd4j.createUninitialized(x.dataType(), x.size(0), x.size(1));
                inverseStd = Nd4j.createUninitialized(x.dataType(), x.size(0));
                saved[0] = new Saved(xhat, inverseStd);
            }
            FloatNorms.layerNormForward(x, weight, bias, eps, out, xhat, inverseStd);
            return;
        }
        long d = x.size(1);
        INDArray mean = x.mean(1);
        Nd4j.exec(new BroadcastSubOp(x, mean, out, 0));
        Release.close(mean);
        INDArray inverseStd = out.norm2(1); // sqrt(sum of squares of the centred row)
        inverseStd.muli(inverseStd).divi(d).addi(eps);
        Transforms.pow(inverseStd, -0.5, false);
        out.muliColumnVector(inverseStd);
        if (saved != null) {
            saved[0] = new Saved(out.dup('c'), inverseStd);
        } else {
            Release.close(inverseStd);
        }
        if (weight != null) {
            out.muliRowVector(AttentionMath.vector(weight));
            if (bias != null) {
                out.addiRowVector(AttentionMath.vector(bias));
            }
        }
    }

    /** {@link #forward} into a new [N, D] array. */
    public static INDArray forward(INDArray x, INDArray weight, INDArray bias, double eps, Saved[] saved) {
        INDArray out = Nd4j.createUninitialized(x.dataType(), x.size(0), x.size(1));
        forward(x, weight, bias, eps, out, saved);
        return out;
    }

    /**
     * @param dy          dL/dy [N, D], not modified
     * @param weightGrad  receives sum(dy * xhat) over rows (null without affine)
     * @param biasGrad    receives sum(dy) over rows (null without affine)
     * @param dx          receives dL/dx [N, D] (dense; may be {@code dy} itself)
     */
    public static void backward(INDArray dy, Saved saved, INDArray weight, INDArray weightGrad, INDArray biasGrad,
                                INDArray dx) {
        if (FloatNorms.applies(dy, dx, weight, weightGrad, biasGrad, saved.normalized(), saved.inverseStd())) {
            FloatNorms.layerNormBackward(dy, saved.normalized(), saved.inverseStd(), weight, weightGrad, biasGrad, dx);
            return;
        }
        INDArray xhat = saved.normalized();
        INDArray temp = dy.mul(xhat);
        INDArray g = dx;
        if (weight != null) {
            INDArray w = AttentionMath.vector(weight);
            Blas.columnSums(temp, weightGrad);
            if (biasGrad != null) {
                Blas.columnSums(dy, biasGrad);
            }
            temp.muliRowVector(w); // g * xhat with g = dy * w
            Nd4j.exec(new BroadcastMulOp(dy, w, g, 1));
        } else if (g != dy) {
            g.assign(dy);
        }
        // dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), per row
        INDArray meanGx = temp.mean(1);
        INDArray meanG = g.mean(1);
        Nd4j.exec(new BroadcastMulOp(xhat, meanGx, temp, 0));
        g.subiColumnVector(meanG).subi(temp).muliColumnVector(saved.inverseStd());
        Release.close(temp, meanG, meanGx);
    }

    /** {@link #backward} into a new array. */
    public static INDArray backward(INDArray dy, Saved saved, INDArray weight, INDArray weightGrad,
                                    INDArray biasGrad) {
        INDArray dx = Nd4j.createUninitialized(dy.dataType(), dy.size(0), dy.size(1));
        backward(dy, saved, weight, weightGrad, biasGrad, dx);
        return dx;
    }
}
