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
    private LayerNormKernel() {}

    /** What the backward pass needs: the normalised input and 1 / sqrt(var + eps) per row. */
    public record Saved(INDArray normalized, INDArray inverseStd) {}

    /**
     * @param x     [N, D], not modified
     * @param out   receives y [N, D] (dense; may be x itself)
     * @param saved receives the backward state under {@code name} when non-null (training)
     */
    public static void forward(
            INDArray x, INDArray weight, INDArray bias, double eps, INDArray out, SavedTensors saved, String name) {
        INDArray xhat = null;
        INDArray inverseStd = null;
        if (saved != null) {
            xhat = saved.obtain(name + ".xhat", x.dataType(), x.size(0), x.size(1));
            inverseStd = saved.obtain(name + ".rstd", x.dataType(), x.size(0));
            saved.putNorm(name, new Saved(xhat, inverseStd));
        }
        if (FloatNorms.applies(x, out, weight, bias)) {
            FloatNorms.layerNormForward(x, weight, bias, eps, out, xhat, inverseStd);
            return;
        }
        long d = x.size(1);
        INDArray mean = x.mean(1);
        Nd4j.exec(new BroadcastSubOp(x, mean, out, 0));
        Release.close(mean);
        INDArray rstd = out.norm2(1); // sqrt(sum of squares of the centred row)
        rstd.muli(rstd).divi(d).addi(eps);
        Transforms.pow(rstd, -0.5, false);
        out.muliColumnVector(rstd);
        if (saved != null) {
            xhat.assign(out);
            inverseStd.assign(rstd);
        }
        Release.close(rstd);
        if (weight != null) {
            out.muliRowVector(Blas.vector(weight));
            if (bias != null) {
                out.addiRowVector(Blas.vector(bias));
            }
        }
    }

    /**
     * @param dy          dL/dy [N, D], not modified
     * @param weightGrad  receives sum(dy * xhat) over rows (null without affine)
     * @param biasGrad    receives sum(dy) over rows (null without affine)
     * @param dx          receives dL/dx [N, D] (dense; may be {@code dy} itself)
     */
    public static void backward(
            INDArray dy, Saved saved, INDArray weight, INDArray weightGrad, INDArray biasGrad, INDArray dx) {
        if (FloatNorms.applies(dy, dx, weight, weightGrad, biasGrad, saved.normalized(), saved.inverseStd())) {
            FloatNorms.layerNormBackward(dy, saved.normalized(), saved.inverseStd(), weight, weightGrad, biasGrad, dx);
            return;
        }
        INDArray xhat = saved.normalized();
        INDArray temp = dy.mul(xhat);
        INDArray g = dx;
        if (weight != null) {
            INDArray w = Blas.vector(weight);
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
}
