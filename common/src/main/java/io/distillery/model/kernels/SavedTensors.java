package io.distillery.model.kernels;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a layer's forward pass keeps for its backward pass, by name. Released (native memory freed at once) after
 * the backward pass or before the next forward pass, so training does not wait for the garbage collector to
 * reclaim hundreds of MB of activations per step.
 */
public final class SavedTensors {
    private final Map<String, INDArray> arrays = new HashMap<>();
    private final Map<String, LayerNormKernel.Saved> norms = new HashMap<>();

    public void put(String name, INDArray array) {
        arrays.put(name, array);
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

    public void release() {
        arrays.values().forEach(Release::close);
        norms.values().forEach(LayerNormKernel.Saved::release);
        arrays.clear();
        norms.clear();
    }
}
