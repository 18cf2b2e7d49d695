package io.distillery.model.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@code y = x W^T + b} on row-major [N, in] inputs, W in PyTorch's [out, in] layout. */
public final class LinearKernel {
    private LinearKernel() {
    }

    /** @return y [N, out], a new array; {@code bias} may be null */
    public static INDArray forward(INDArray x, INDArray weight, INDArray bias) {
        INDArray y = Nd4j.createUninitialized(x.dataType(), x.size(0), weight.size(0));
        Blas.linear(x, weight, y);
        if (bias != null) {
            y.addiRowVector(bias.reshape(bias.length()));
        }
        return y;
    }

    /**
     * Writes dL/dW = dy^T x into {@code weightGrad} (a dense [out, in] view of the layer's gradient) and
     * sum(dy) into {@code biasGrad} (null: no bias), and returns dL/dx = dy W, a new array (null when
     * {@code needInputGrad} is false).
     */
    public static INDArray backward(INDArray dy, INDArray x, INDArray weight, INDArray weightGrad,
                                    INDArray biasGrad, boolean needInputGrad) {
        long rows = x.size(0);
        long in = x.size(1);
        long out = weight.size(0);
        Blas.gemm(true, false, out, in, rows, 1, dy, 0, out, x, 0, in, 0, weightGrad, 0, in);
        if (biasGrad != null) {
            biasGrad.assign(dy.sum(0).reshape(biasGrad.shape()));
        }
        if (!needInputGrad) {
            return null;
        }
        INDArray dx = Nd4j.createUninitialized(x.dataType(), rows, in);
        Blas.gemm(false, false, rows, in, out, 1, dy, 0, out, weight, 0, in, 0, dx, 0, in);
        return dx;
    }
}
