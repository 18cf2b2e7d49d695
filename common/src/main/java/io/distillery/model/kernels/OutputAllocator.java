package io.distillery.model.kernels;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Where a layer writes its result: DL4J's workspace for that array type (so no copy is needed afterwards). */
@FunctionalInterface
public interface OutputAllocator {
    INDArray create(DataType type, long... shape);
}
