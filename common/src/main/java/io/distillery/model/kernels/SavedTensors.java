package io.distillery.model.kernels;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a layer's forward pass keeps for its backward pass, by name. The arrays are {@link Buffers} of the layer:
 * the next training step writes into the same memory instead of allocating it again.
 */
public final class SavedTensors extends Buffers {
    private final Map<String, INDArray> arrays = new HashMap<>();
    private final Map<String, LayerNormKernel.Saved> norms = new HashMap<>();

    /** Records an array (obtained here, or a view of the layer's input that lives until the backward pass). */
    public void put(String name, INDArray array) {
        INDArray previous = arrays.put(name, array);
        if (previous != null && previous != array && !owns(previous)) {
            Release.close(previous); // a per-step array of the last step, not a pooled buffer
        }
    }

    public INDArray get(String name) {
        INDArray array = arrays.get(name);
        if (array == null) {
            throw new IllegalStateException("no saved tensor " + name);
        }
        return array;
    }

    public void putNorm(String name, LayerNormKernel.Saved saved) {
        norms.put(name, saved);
    }

    public LayerNormKernel.Saved norm(String name) {
        LayerNormKernel.Saved saved = norms.get(name);
        if (saved == null) {
            throw new IllegalStateException("no saved norm " + name);
        }
        return saved;
    }
}
