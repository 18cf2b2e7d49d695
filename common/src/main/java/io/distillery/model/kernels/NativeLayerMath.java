package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A layer's forward and backward pass, written by hand (see {@link NativeLayer}). Intermediates come from
 * {@link Buffers}: the layer's {@link SavedTensors} in training, this thread's scratch otherwise.
 */
public interface NativeLayerMath {
    /**
     * @param input  the layer input as DL4J passes it (not modified)
     * @param saved  where to keep the backward state; null for inference
     * @param output allocates the result
     */
    INDArray forward(INDArray input, Map<String, INDArray> params, SavedTensors saved, OutputAllocator output);

    /**
     * Writes every parameter's gradient into {@code grads} (dense views of the layer's gradient array, overwritten)
     * and returns dL/dinput shaped like the input, allocated by {@code inputGrad}.
     */
    INDArray backward(
            INDArray epsilon,
            INDArray input,
            Map<String, INDArray> params,
            Map<String, INDArray> grads,
            SavedTensors saved,
            OutputAllocator inputGrad);

    /** Scratch for inference, the layer's saved tensors in training. */
    static Buffers buffers(SavedTensors saved) {
        return saved != null ? saved : Buffers.scratch();
    }
}
