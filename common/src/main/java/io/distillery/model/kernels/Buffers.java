package io.distillery.model.kernels;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Named arrays reused from call to call while their shape stays the same: every fresh ND4J array costs an
 * allocation, JavaCPP's memory accounting and page faults on first touch, which made allocation the second
 * cost of a forward pass after gemm (23 % of the small teacher's). {@link #scratch()} holds one thread's
 * temporaries, valid until that thread's next layer call; a layer's {@link SavedTensors} keep what its backward
 * pass needs. Arrays obtained here are never closed by their users.
 */
public class Buffers {
    private static final ThreadLocal<Buffers> SCRATCH = ThreadLocal.withInitial(Buffers::new);

    private final Map<String, INDArray> arrays = new HashMap<>();

    /** This thread's temporaries (all layers of all graphs the thread runs share them). */
    public static Buffers scratch() {
        return SCRATCH.get();
    }

    /** An uninitialised array for {@code name}: the previous one when type and shape match. */
    public INDArray obtain(String name, DataType type, long... shape) {
        INDArray array = arrays.get(name);
        if (array == null || array.wasClosed() || array.dataType() != type || !Arrays.equals(array.shape(), shape)) {
            Release.close(array);
            try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                array = Nd4j.createUninitialized(type, shape);
            }
            arrays.put(name, array);
        }
        return array;
    }

    /** Whether {@code array} is one of this pool's arrays (by identity). */
    protected boolean owns(INDArray array) {
        for (INDArray a : arrays.values()) {
            if (a == array) {
                return true;
            }
        }
        return false;
    }
}
