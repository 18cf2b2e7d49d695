package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
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
        return x.get(
                NDArrayIndex.all(),
                NDArrayIndex.interval(0, blocks),
                NDArrayIndex.interval(dropCls ? 1 : 0, tokens),
                NDArrayIndex.all());
    }

    @Override
    public INDArray forward(INDArray input, Map<String, INDArray> p, SavedTensors saved, OutputAllocator output) {
        long batch = input.size(0);
        if (input.dataType() == DataType.FLOAT) {
            return forwardFloat(input, batch, p, saved, output);
        }
        INDArray x = chosen(input);
        INDArray mean = x.mean(true, 2);
        INDArray normalized = x.sub(mean); // [B, L, T', D]
        Release.close(mean);
        INDArray squares = normalized.mul(normalized);
        INDArray inverseStd = squares.mean(true, 2).addi(eps);
        Release.close(squares);
        Transforms.pow(inverseStd, -0.5, false);
        normalized.muli(inverseStd);
        INDArray average = Nd4j.createUninitialized(input.dataType(), batch * kept(), dim);
        normalized.mean(average.reshape('c', batch, kept(), dim), 1);
        return finish(batch, average, normalized, inverseStd, p, saved, output);
    }

    private INDArray finish(
            long batch,
            INDArray average,
            INDArray normalized,
            INDArray inverseStd,
            Map<String, INDArray> p,
            SavedTensors saved,
            OutputAllocator outputs) {
        INDArray projected = average;
        if (dim != targetDim) {
            projected = Nd4j.createUninitialized(average.dataType(), average.size(0), targetDim);
            LinearKernel.forward(average, p.get("projW"), p.get("projB"), projected);
        }
        INDArray output = outputs.create(average.dataType(), batch, (long) kept() * targetDim);
        LayerNormKernel.forward(
                projected, null, null, eps, output.reshape('c', batch * kept(), targetDim), saved, "out");
        if (saved != null) {
            saved.put("normalized", normalized);
            saved.put("inverseStd", inverseStd);
            saved.put("average", average);
        } else {
            Release.close(normalized, inverseStd, average);
        }
        if (projected != average) {
            Release.close(projected);
        }
        return output;
    }

    /** Same math with the fused instance norm of {@link FloatNorms}, reading the chosen blocks in place. */
    private INDArray forwardFloat(
            INDArray input, long batch, Map<String, INDArray> p, SavedTensors saved, OutputAllocator output) {
        Buffers buf = NativeLayerMath.buffers(saved);
        INDArray merged = Blas.rows(input, batch, input.size(1));
        INDArray normalized = buf.obtain("head.z", DataType.FLOAT, batch * blocks, kept(), dim);
        INDArray inverseStd = buf.obtain("head.rstd", DataType.FLOAT, batch * blocks, dim);
        INDArray average = buf.obtain("head.avg", DataType.FLOAT, batch * kept(), dim);
        FloatNorms.instanceNormForward(merged, layout(batch), dim, eps, normalized, inverseStd, average);
        return finish(batch, average, normalized, inverseStd, p, saved, output);
    }

    private FloatNorms.GroupLayout layout(long batch) {
        return new FloatNorms.GroupLayout(batch, blocks + unused, blocks, tokens, dropCls ? 1 : 0);
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
        INDArray dProjected = Nd4j.createUninitialized(epsilon.dataType(), batch * kept(), targetDim);
        LayerNormKernel.backward(
                Blas.rows(epsilon, batch * kept(), targetDim), saved.norm("out"), null, null, null, dProjected);
        INDArray dAverage = dProjected;
        if (dim != targetDim) {
            dAverage = Nd4j.createUninitialized(epsilon.dataType(), batch * kept(), dim);
            LinearKernel.backward(
                    dProjected, saved.get("average"), p.get("projW"), g.get("projW"), g.get("projB"), dAverage);
            Release.close(dProjected);
        }
        if (dAverage.dataType() == DataType.FLOAT) {
            // CLS rows and unused blocks get no gradient; the chosen groups are written in place
            INDArray dInput = inputGrad.create(DataType.FLOAT, input.shape()).assign(0);
            FloatNorms.instanceNormBackward(
                    Blas.rows(dAverage, batch * kept(), dim),
                    saved.get("normalized"),
                    saved.get("inverseStd"),
                    layout(batch),
                    dInput);
            Release.close(dAverage);
            return dInput;
        }
        // d(mean over L) spreads 1/L to every block; then instance-norm backward over the tokens (axis 2)
        INDArray z = saved.get("normalized");
        INDArray dz = dAverage.reshape('c', batch, 1, kept(), dim).div(blocks);
        Release.close(dAverage);
        INDArray dzFull = blocks == 1 ? dz : dz.broadcast(batch, blocks, kept(), dim);
        if (dzFull != dz) {
            Release.close(dz);
        }
        INDArray meanDz = dzFull.mean(true, 2);
        INDArray product = z.mul(dzFull);
        INDArray meanDzZ = product.mean(true, 2);
        z.mul(meanDzZ, product); // reused: z * mean(dz * z)
        INDArray dx = dzFull.subi(meanDz).subi(product).muli(saved.get("inverseStd"));
        Release.close(meanDz, meanDzZ, product);
        INDArray dInput = Nd4j.zeros(input.dataType(), input.shape());
        chosen(dInput).assign(dx);
        Release.close(dx);
        return dInput;
    }
}
