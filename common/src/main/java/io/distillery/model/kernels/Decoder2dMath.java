package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * data2vec 2.0's image decoder ({@code Decoder2d}, fairseq examples/data2vec/models/modalities/modules.py) on
 * [B, T*C] activations whose tokens are the full patch grid, row-major: {@code layers} blocks of
 * {@code GELU(LayerNorm(Conv2d(x)))} (grouped conv, see {@link GroupedConvKernel}; LayerNorm over channels without
 * affine parameters, eps 1e-5), each block's input added to its output when {@code residual} and the channel
 * counts match (so block 0 only when the input width equals the decoder width), then a Linear to the target width.
 * Parameter names are those of {@link io.distillery.model.layers.Decoder2d}: {@code conv<i>W}, {@code conv<i>B},
 * {@code projW}, {@code projB}.
 *
 * <p>Training keeps per block the padded block input, the normalised conv output (the GELU's input) with its
 * inverse standard deviations and Phi; the last block's output for the projection's gradient.
 */
public final class Decoder2dMath implements NativeLayerMath {
    private final int height;
    private final int width;
    private final int inputDim;
    private final int decoderDim;
    private final int layers;
    private final boolean residual;
    private final double eps;
    private final GroupedConvKernel first;
    private final GroupedConvKernel inner;

    public Decoder2dMath(
            int height,
            int width,
            int inputDim,
            int decoderDim,
            int layers,
            int kernel,
            int groups,
            boolean residual,
            double eps) {
        this.height = height;
        this.width = width;
        this.inputDim = inputDim;
        this.decoderDim = decoderDim;
        this.layers = layers;
        this.residual = residual;
        this.eps = eps;
        this.first = new GroupedConvKernel(height, width, inputDim, decoderDim, kernel, groups);
        this.inner = new GroupedConvKernel(height, width, decoderDim, decoderDim, kernel, groups);
    }

    private int tokens() {
        return height * width;
    }

    private int inChannels(int block) {
        return block == 0 ? inputDim : decoderDim;
    }

    private GroupedConvKernel conv(int block) {
        return block == 0 ? first : inner;
    }

    private boolean addsInput(int block) {
        return residual && inChannels(block) == decoderDim;
    }

    @Override
    public INDArray forward(INDArray input, Map<String, INDArray> p, SavedTensors saved, OutputAllocator output) {
        long batch = input.size(0);
        long rows = batch * tokens();
        DataType type = input.dataType();
        Buffers scratch = Buffers.scratch();
        INDArray x = Blas.rows(input, rows, inputDim);
        for (int b = 0; b < layers; b++) {
            int in = inChannels(b);
            GroupedConvKernel conv = conv(b);
            INDArray padded = saved != null
                    ? saved.obtain("pad" + b, type, conv.paddedRows(batch), in)
                    : scratch.obtain("decoder2d.pad." + in, type, conv.paddedRows(batch), in);
            conv.pad(x, batch, padded);
            if (saved != null) {
                saved.put("pad" + b, padded);
            }
            INDArray weight = p.get("conv" + b + "W");
            INDArray packed = scratch.obtain("decoder2d.packed." + in, type, packedShape(weight));
            conv.pack(weight, packed);
            INDArray wide = scratch.obtain("decoder2d.wide", type, conv.paddedRows(batch), decoderDim);
            conv.forward(padded, packed, batch, wide);
            INDArray z = scratch.obtain("decoder2d.z", type, rows, decoderDim);
            conv.crop(wide, batch, z);
            z.addiRowVector(Blas.vector(p.get("conv" + b + "B")));
            LayerNormKernel.forward(z, null, null, eps, z, saved, "norm" + b);
            boolean last = b == layers - 1;
            INDArray y = saved != null && last
                    ? saved.obtain("last", type, rows, decoderDim)
                    : scratch.obtain("decoder2d.y" + (b % 2), type, rows, decoderDim);
            INDArray cdf = saved != null ? saved.obtain("cdf" + b, type, rows, decoderDim) : null;
            GeluKernel.forward(z, y, cdf);
            if (addsInput(b)) {
                y.addi(x);
            }
            if (saved != null) {
                saved.put("cdf" + b, cdf);
                if (last) {
                    saved.put("last", y);
                }
            }
            x = y;
        }
        INDArray out = output.create(type, batch, (long) tokens() * targetDim(p));
        LinearKernel.forward(x, p.get("projW"), p.get("projB"), out.reshape('c', rows, targetDim(p)));
        return out;
    }

    private static long targetDim(Map<String, INDArray> p) {
        return p.get("projW").size(0);
    }

    private static long[] packedShape(INDArray weight) {
        long k = weight.size(2);
        return new long[] {k * k, weight.size(0), weight.size(1)};
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
        long rows = batch * tokens();
        DataType type = epsilon.dataType();
        Buffers scratch = Buffers.scratch();
        INDArray dy = scratch.obtain("decoder2d.dy" + ((layers - 1) % 2), type, rows, decoderDim);
        LinearKernel.backward(
                Blas.rows(epsilon, rows, targetDim(p)),
                saved.get("last"),
                p.get("projW"),
                g.get("projW"),
                g.get("projB"),
                dy);
        INDArray dInput = inputGrad.create(type, batch, (long) tokens() * inputDim);
        for (int b = layers - 1; b >= 0; b--) {
            int in = inChannels(b);
            GroupedConvKernel conv = conv(b);
            LayerNormKernel.Saved norm = saved.norm("norm" + b);
            INDArray dz = scratch.obtain("decoder2d.dz", type, rows, decoderDim);
            dz.assign(dy);
            GeluKernel.backwardInPlace(dz, norm.normalized(), saved.get("cdf" + b));
            LayerNormKernel.backward(dz, norm, null, null, null, dz);
            Blas.columnSums(dz, g.get("conv" + b + "B"));
            INDArray weight = p.get("conv" + b + "W");
            INDArray packed = scratch.obtain("decoder2d.packed." + in, type, packedShape(weight));
            conv.pack(weight, packed);
            INDArray dx = b == 0
                    ? dInput.reshape('c', rows, inputDim)
                    : scratch.obtain("decoder2d.dy" + ((b - 1) % 2), type, rows, in);
            conv.backward(dz, saved.get("pad" + b), packed, batch, g.get("conv" + b + "W"), dx);
            if (addsInput(b)) {
                dx.addi(dy);
            }
            dy = dx;
        }
        return dInput;
    }
}
