package io.distillery.student;

import io.distillery.model.kernels.NativeLayerMath;
import io.distillery.model.kernels.OutputAllocator;
import io.distillery.model.kernels.SavedTensors;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@link LogitScale}'s math: {@code [x | exp(s)]} per row, s clamped in place to {@code [0, max]}; backward
 * {@code dL/ds = exp(s) * sum over rows of the last column's gradient}, the rest passed through.
 */
final class LogitScaleMath implements NativeLayerMath {
    private final int width;
    private final double max;

    LogitScaleMath(int width, double max) {
        this.width = width;
        this.max = max;
    }

    private double scale(Map<String, INDArray> p) {
        INDArray s = p.get(LogitScale.LOG_SCALE);
        double value = s.getDouble(0);
        double clamped = Math.min(Math.max(value, 0), max);
        if (clamped != value) {
            s.assign(clamped);
        }
        return Math.exp(clamped);
    }

    @Override
    public INDArray forward(INDArray input, Map<String, INDArray> p, SavedTensors saved, OutputAllocator output) {
        if (input.rank() != 2 || input.size(1) != width) {
            throw new IllegalArgumentException(
                    "logit scale takes [batch, " + width + "], got " + java.util.Arrays.toString(input.shape()));
        }
        INDArray out = output.create(input.dataType(), input.size(0), width + 1L);
        out.get(NDArrayIndex.all(), NDArrayIndex.interval(0, width)).assign(input);
        out.get(NDArrayIndex.all(), NDArrayIndex.point(width)).assign(scale(p));
        return out;
    }

    @Override
    public INDArray backward(
            INDArray epsilon,
            INDArray input,
            Map<String, INDArray> p,
            Map<String, INDArray> g,
            SavedTensors saved,
            OutputAllocator inputGrad) {
        double scaleGrad = epsilon.get(NDArrayIndex.all(), NDArrayIndex.point(width))
                .sumNumber()
                .doubleValue();
        g.get(LogitScale.LOG_SCALE)
                .assign(scaleGrad * Math.exp(p.get(LogitScale.LOG_SCALE).getDouble(0)));
        INDArray dInput = inputGrad.create(epsilon.dataType(), epsilon.size(0), width);
        dInput.assign(epsilon.get(NDArrayIndex.all(), NDArrayIndex.interval(0, width)));
        return dInput;
    }
}
