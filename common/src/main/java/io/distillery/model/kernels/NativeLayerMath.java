package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A layer's forward and backward pass, written by hand (see {@link NativeLayer}). */
public interface NativeLayerMath {
    /**
     * @param input  the layer input as DL4J passes it (not modified)
     * @param saved  where to keep the backward state; null for inference
     * @return the output, a new array that nothing else references
     */
    INDArray forward(INDArray input, Map<String, INDArray> params, SavedTensors saved);

    /**
     * Writes every parameter's gradient into {@code grads} (dense views of the layer's gradient array, overwritten)
     * and returns dL/dinput shaped like the input, a new array.
     */
    INDArray backward(INDArray epsilon, INDArray input, Map<String, INDArray> params, Map<String, INDArray> grads,
                      SavedTensors saved);
}
