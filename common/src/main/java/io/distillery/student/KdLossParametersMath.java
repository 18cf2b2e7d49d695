package io.distillery.student;

import io.distillery.model.kernels.NativeLayerMath;
import io.distillery.model.kernels.OutputAllocator;
import io.distillery.model.kernels.SavedTensors;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@link KdLossParameters}' math: {@code [x | p]} per row, p the parameters in column order; backward
 * {@code dL/dp = sum over rows of p's columns' gradients}, the rest passed through.
 */
final class KdLossParametersMath implements NativeLayerMath {
    private final int width;
    private final KdParameterLayout layout;

    KdLossParametersMath(int width, KdParameterLayout layout) {
        this.width = width;
        this.layout = layout;
    }

    private static INDArray group(Map<String, INDArray> p, KdParameterLayout.Slot s) {
        return p.get(s.decayed() ? KdLossParameters.WEIGHTS : KdLossParameters.BIASES)
                .get(NDArrayIndex.point(0), NDArrayIndex.interval(s.offset(), s.offset() + s.length()));
    }

    @Override
    public INDArray forward(INDArray input, Map<String, INDArray> p, SavedTensors saved, OutputAllocator output) {
        if (input.rank() != 2 || input.size(1) != width) {
            throw new IllegalArgumentException(
                    "loss parameters take [batch, " + width + "], got " + java.util.Arrays.toString(input.shape()));
        }
        INDArray out = output.create(input.dataType(), input.size(0), width + layout.columns());
        out.get(NDArrayIndex.all(), NDArrayIndex.interval(0, width)).assign(input);
        for (KdParameterLayout.Slot s : layout.slots()) {
            long from = width + s.column();
            out.get(NDArrayIndex.all(), NDArrayIndex.interval(from, from + s.length()))
                    .assign(group(p, s).reshape(1, s.length()).broadcast(input.size(0), s.length()));
        }
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
        for (KdParameterLayout.Slot s : layout.slots()) {
            long from = width + s.column();
            group(g, s)
                    .assign(epsilon.get(NDArrayIndex.all(), NDArrayIndex.interval(from, from + s.length()))
                            .sum(0));
        }
        INDArray dInput = inputGrad.create(epsilon.dataType(), epsilon.size(0), width);
        dInput.assign(epsilon.get(NDArrayIndex.all(), NDArrayIndex.interval(0, width)));
        return dInput;
    }
}
