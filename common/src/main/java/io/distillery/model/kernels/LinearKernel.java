package io.distillery.model.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code y = x W^T + b} on dense row-major [N, in] inputs, W in PyTorch's [out, in] layout. */
public final class LinearKernel {
    private LinearKernel() {}

    /** Writes y into {@code out} [N, out] (dense); {@code bias} may be null. */
    public static void forward(INDArray x, INDArray weight, INDArray bias, INDArray out) {
        Blas.linear(x, weight, out);
        if (bias != null) {
            out.addiRowVector(Blas.vector(bias));
        }
    }

    /**
     * Writes dL/dW = dy^T x into {@code weightGrad} (a dense [out, in] view of the layer's gradient), sum(dy)
     * into {@code biasGrad} (null: no bias) and dL/dx = dy W into {@code dx} (dense [N, in]; null: not needed).
     */
    public static void backward(
            INDArray dy, INDArray x, INDArray weight, INDArray weightGrad, INDArray biasGrad, INDArray dx) {
        long rows = x.size(0);
        long in = x.size(1);
        long out = weight.size(0);
        Blas.gemm(true, false, out, in, rows, 1, dy, 0, out, x, 0, in, 0, weightGrad, 0, in);
        if (biasGrad != null) {
            Blas.columnSums(dy, biasGrad);
        }
        if (dx != null) {
            Blas.gemm(false, false, rows, in, out, 1, dy, 0, out, weight, 0, in, 0, dx, 0, in);
        }
    }
}
