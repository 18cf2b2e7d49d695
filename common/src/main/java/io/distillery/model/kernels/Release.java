package io.distillery.model.kernels;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Frees intermediate arrays now instead of at the next GC; views and workspace arrays are left alone. */
final class Release {
    private Release() {}

    static void close(INDArray... arrays) {
        for (INDArray a : arrays) {
            if (a != null && !a.wasClosed() && a.closeable()) {
                a.close();
            }
        }
    }
}
