package io.distillery.model.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * LayerNorm over the columns of a row-major [N, D] matrix, biased variance (PyTorch's {@code F.layer_norm}); the
 * affine part is optional ({@code weight == null}: plain standardisation, as data2vec's targets use).
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
     * @param x      [N, D], not modified
     * @param saved  receives the backward state when non-null (training)
     * @return y [N, D], a new array
     */
    public static INDArray forward(INDArray x, INDArray weight, INDArray bias, double eps, Saved[] saved) {
        long d = x.size(1);
        INDArray mean = x.mean(1);
        INDArray y = x.subColumnVector(mean);
        mean.close();
        INDArray norm = y.norm2(1); // sqrt(sum of squares of the centred row)
        INDArray inverseStd = norm.muli(norm).divi(d).addi(eps);
        Transforms.pow(inverseStd, -0.5, false);
        y.muliColumnVector(inverseStd);
        if (saved != null) {
            saved[0] = new Saved(y.dup(), inverseStd);
        } else {
            inverseStd.close();
        }
        if (weight != null) {
            y.muliRowVector(weight.reshape(weight.length()));
            if (bias != null) {
                y.addiRowVector(bias.reshape(bias.length()));
            }
        }
        return y;
    }

    /**
     * @param dy          dL/dy [N, D], not modified
     * @param weightGrad  receives sum(dy * xhat) over rows (null without affine)
     * @param biasGrad    receives sum(dy) over rows (null without affine)
     * @return dL/dx [N, D], a new array
     */
    public static INDArray backward(INDArray dy, Saved saved, INDArray weight, INDArray weightGrad,
                                    INDArray biasGrad) {
        INDArray xhat = saved.normalized();
        INDArray g;
        if (weight != null) {
            INDArray product = dy.mul(xhat);
            weightGrad.assign(product.sum(0).reshape(weightGrad.shape()));
            product.close();
            if (biasGrad != null) {
                biasGrad.assign(dy.sum(0).reshape(biasGrad.shape()));
            }
            g = dy.mulRowVector(weight.reshape(weight.length()));
        } else {
            g = dy.dup('c');
        }
        // dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), per row
        INDArray gx = g.mul(xhat);
        INDArray meanGx = gx.mean(1);
        gx.close();
        INDArray meanG = g.mean(1);
        g.subiColumnVector(meanG);
        INDArray correction = xhat.mulColumnVector(meanGx);
        g.subi(correction).muliColumnVector(saved.inverseStd());
        correction.close();
        meanG.close();
        meanGx.close();
        return g;
    }
}
