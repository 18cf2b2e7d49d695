package io.distillery.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Hands one forward pass's activation arrays to the next pass of the same encoder. A teacher pass allocates
 * several batch-sized arrays per block; freeing them after each batch and allocating fresh ones made the kernel
 * map, fault in and zero new pages on every batch (a third of the CPU time in system mode on a small teacher, and
 * worse on Spark's task threads, whose malloc arenas return large blocks to the OS eagerly). Holds at most the
 * arrays of the last pass given back; arrays of another shape (a short last batch) are freed at the next give-back.
 * Not for concurrent passes: one encoder runs one pass at a time.
 */
final class ActivationRecycler {
    private final List<INDArray> free = new ArrayList<>();

    /** An array of that type and shape: one given back, else a new uninitialised one. */
    synchronized INDArray take(DataType type, long... shape) {
        for (int i = 0; i < free.size(); i++) {
            INDArray a = free.get(i);
            if (a.dataType() == type && Arrays.equals(a.shape(), shape)) {
                free.remove(i);
                return a;
            }
        }
        return Nd4j.createUninitialized(type, shape);
    }

    /**
     * Keeps {@code arrays} (those that own their memory) for the next pass; frees what the last pass did not take.
     * The caller must not use the arrays afterwards.
     */
    synchronized void giveBack(Collection<INDArray> arrays) {
        release();
        Set<INDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (INDArray a : arrays) {
            if (a != null && seen.add(a) && !a.wasClosed() && a.closeable() && !a.isView()) {
                free.add(a);
            }
        }
    }

    /** Frees every array held. */
    synchronized void release() {
        for (INDArray a : free) {
            if (!a.wasClosed()) {
                a.close();
            }
        }
        free.clear();
    }

    synchronized int held() {
        return free.size();
    }
}
