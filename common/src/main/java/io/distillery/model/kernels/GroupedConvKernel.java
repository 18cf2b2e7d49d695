package io.distillery.model.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * PyTorch's {@code Conv2d(in, out, kernel, padding=kernel // 2, groups)} with stride 1 followed by fairseq's
 * {@code SamePad2d} (which drops the last row and column for an even kernel), on channel-last tokens: rows of a
 * dense [B*H*W, C] matrix, row {@code (b * H + h) * W + w}. Output (h, w) reads input (h + i - k/2, w + j - k/2)
 * for kernel offsets (i, j), zero outside the grid.
 *
 * <p>No im2col. The input is copied into a zero-padded grid [B, Hp, Wp, C] with {@code Hp = H + k - 1}, {@code Wp
 * = W + k - 1} and the image at (k/2, k/2). In that layout, the input row an output row reads at offset (i, j) is
 * the output's row index in the padded grid plus {@code i * Wp + j}, the same shift for every row: each (offset,
 * group) pair is one gemm over all rows of all images ({@code k^2 * groups} gemms), computing outputs on the
 * padded grid too. The rows outside the [H, W] corner of each image are throw-away (about (Hp Wp - H W) / (H W)
 * extra work, 31 % at 14 x 14 with k = 3) and are never read; in the backward pass their gradient is zero.
 *
 * <p>Weights keep PyTorch's layout [out, in / groups, k, k]; each pass repacks them as [k*k, out, in / groups] so
 * that every (offset, group) block is a dense matrix for BLAS.
 */
public final class GroupedConvKernel {
    private final int height;
    private final int width;
    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int groups;

    public GroupedConvKernel(int height, int width, int inChannels, int outChannels, int kernel, int groups) {
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("conv channels " + inChannels + " -> " + outChannels
                    + " are not both divisible by groups " + groups);
        }
        this.height = height;
        this.width = width;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.groups = groups;
    }

    private int paddedHeight() {
        return height + kernel - 1;
    }

    private int paddedWidth() {
        return width + kernel - 1;
    }

    /** Rows of the padded grid of {@code batch} images. */
    public long paddedRows(long batch) {
        return batch * paddedHeight() * paddedWidth();
    }

    /** Padded rows whose shifted reads stay inside the padded grid: every valid output row is below this. */
    private long computedRows(long batch) {
        return paddedRows(batch) - ((long) (kernel - 1) * paddedWidth() + (kernel - 1));
    }

    /** Writes x [B*H*W, in] into the zero-padded grid {@code padded} [paddedRows, in]. */
    public void pad(INDArray x, long batch, INDArray padded) {
        padded.assign(0);
        int before = kernel / 2;
        padded.reshape('c', batch, paddedHeight(), paddedWidth(), inChannels)
                .get(
                        NDArrayIndex.all(),
                        NDArrayIndex.interval(before, before + height),
                        NDArrayIndex.interval(before, before + width),
                        NDArrayIndex.all())
                .assign(x.reshape('c', batch, height, width, inChannels));
    }

    /** {@code weight} [out, in/groups, k, k] into {@code packed} [k*k, out, in/groups]. */
    public void pack(INDArray weight, INDArray packed) {
        int perGroup = inChannels / groups;
        packed.reshape('c', (long) kernel * kernel, outChannels, perGroup)
                .assign(weight.reshape('c', outChannels, perGroup, (long) kernel * kernel)
                        .permute(2, 0, 1));
    }

    /**
     * The convolution (no bias) on the padded grid: {@code wide} [paddedRows, out] receives the outputs of every
     * padded position (only the [H, W] corner of each image is meaningful; see {@link #crop}).
     */
    public void forward(INDArray padded, INDArray packed, long batch, INDArray wide) {
        int inPerGroup = inChannels / groups;
        int outPerGroup = outChannels / groups;
        long rows = computedRows(batch);
        for (int i = 0; i < kernel; i++) {
            for (int j = 0; j < kernel; j++) {
                int offset = i * kernel + j;
                long shift = (long) i * paddedWidth() + j;
                for (int g = 0; g < groups; g++) {
                    Blas.gemm(
                            false,
                            true,
                            rows,
                            outPerGroup,
                            inPerGroup,
                            1,
                            padded,
                            shift * inChannels + (long) g * inPerGroup,
                            inChannels,
                            packed,
                            ((long) offset * outChannels + (long) g * outPerGroup) * inPerGroup,
                            inPerGroup,
                            offset == 0 ? 0 : 1,
                            wide,
                            (long) g * outPerGroup,
                            outChannels);
                }
            }
        }
    }

    /** The [H, W] corner of each image of {@code wide} [paddedRows, out] into {@code out} [B*H*W, out] (dense). */
    public void crop(INDArray wide, long batch, INDArray out) {
        out.reshape('c', batch, height, width, outChannels)
                .assign(wide.reshape('c', batch, paddedHeight(), paddedWidth(), outChannels)
                        .get(
                                NDArrayIndex.all(),
                                NDArrayIndex.interval(0, height),
                                NDArrayIndex.interval(0, width),
                                NDArrayIndex.all()));
    }

    /**
     * Gradients of the convolution (no bias) given dL/dout [B*H*W, out]: the weight gradient into {@code
     * weightGrad} [out, in/groups, k, k] (overwritten) and dL/dx into {@code dx} [B*H*W, in] (overwritten).
     *
     * @param padded the padded input of the forward pass
     * @param packed the packed weights ({@link #pack})
     */
    public void backward(
            INDArray dOut, INDArray padded, INDArray packed, long batch, INDArray weightGrad, INDArray dx) {
        int inPerGroup = inChannels / groups;
        int outPerGroup = outChannels / groups;
        long rows = computedRows(batch);
        Buffers scratch = Buffers.scratch();
        INDArray wideGrad = scratch.obtain("conv.wideGrad", dOut.dataType(), paddedRows(batch), outChannels);
        wideGrad.assign(0);
        wideGrad.reshape('c', batch, paddedHeight(), paddedWidth(), outChannels)
                .get(
                        NDArrayIndex.all(),
                        NDArrayIndex.interval(0, height),
                        NDArrayIndex.interval(0, width),
                        NDArrayIndex.all())
                .assign(dOut.reshape('c', batch, height, width, outChannels));
        INDArray packedGrad = scratch.obtain(
                "conv.packedGrad." + inPerGroup, dOut.dataType(), (long) kernel * kernel, outChannels, inPerGroup);
        INDArray dPadded = scratch.obtain("conv.dPadded." + inChannels, dOut.dataType(), paddedRows(batch), inChannels);
        dPadded.assign(0);
        for (int i = 0; i < kernel; i++) {
            for (int j = 0; j < kernel; j++) {
                int offset = i * kernel + j;
                long shift = (long) i * paddedWidth() + j;
                for (int g = 0; g < groups; g++) {
                    long weightOffset = ((long) offset * outChannels + (long) g * outPerGroup) * inPerGroup;
                    long inOffset = shift * inChannels + (long) g * inPerGroup;
                    // dW[offset, group] = dY_g^T X_shifted,g
                    Blas.gemm(
                            true,
                            false,
                            outPerGroup,
                            inPerGroup,
                            rows,
                            1,
                            wideGrad,
                            (long) g * outPerGroup,
                            outChannels,
                            padded,
                            inOffset,
                            inChannels,
                            0,
                            packedGrad,
                            weightOffset,
                            inPerGroup);
                    // dX_shifted,g += dY_g W[offset, group]
                    Blas.gemm(
                            false,
                            false,
                            rows,
                            inPerGroup,
                            outPerGroup,
                            1,
                            wideGrad,
                            (long) g * outPerGroup,
                            outChannels,
                            packed,
                            weightOffset,
                            inPerGroup,
                            1,
                            dPadded,
                            inOffset,
                            inChannels);
                }
            }
        }
        weightGrad
                .reshape('c', outChannels, inPerGroup, (long) kernel * kernel)
                .assign(packedGrad
                        .reshape('c', (long) kernel * kernel, outChannels, inPerGroup)
                        .permute(1, 2, 0));
        int before = kernel / 2;
        dx.reshape('c', batch, height, width, inChannels)
                .assign(dPadded.reshape('c', batch, paddedHeight(), paddedWidth(), inChannels)
                        .get(
                                NDArrayIndex.all(),
                                NDArrayIndex.interval(before, before + height),
                                NDArrayIndex.interval(before, before + width),
                                NDArrayIndex.all()));
    }
}
