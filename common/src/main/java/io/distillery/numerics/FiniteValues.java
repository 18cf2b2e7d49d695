package io.distillery.numerics;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.conditions.Conditions;

/** Finds NaN/Inf values (and values a narrower storage type cannot hold) before they are used or stored. */
public final class FiniteValues {
    /** Largest finite IEEE binary16 value; larger floats become Inf when packed as fp16. */
    public static final float FP16_MAX = 65504f;

    private FiniteValues() {}

    /** Index (relative to {@code from}) of the first value that is not finite or exceeds {@code limit}; -1 if none. */
    public static int firstBad(float[] values, int from, int length, float limit) {
        for (int i = 0; i < length; i++) {
            float v = values[from + i];
            if (!(Math.abs(v) <= limit)) { // NaN fails every comparison
                return i;
            }
        }
        return -1;
    }

    /** As {@link #firstBad(float[], int, int, float)} for any finite float. */
    public static int firstNonFinite(float[] values, int from, int length) {
        return firstBad(values, from, length, Float.MAX_VALUE);
    }

    /** Whether every element of {@code array} is finite. */
    public static boolean allFinite(INDArray array) {
        if (array.isEmpty() || !array.dataType().isFPType()) {
            return true;
        }
        return !BooleanIndexing.or(array, Conditions.isNan()) && !BooleanIndexing.or(array, Conditions.isInfinite());
    }

    /** Names a bad value for messages: {@code NaN}, {@code Inf}, {@code -Inf}, or the value itself. */
    public static String describe(float value) {
        if (Float.isNaN(value)) {
            return "NaN";
        }
        if (Float.isInfinite(value)) {
            return value > 0 ? "Inf" : "-Inf";
        }
        return Float.toString(value);
    }
}
