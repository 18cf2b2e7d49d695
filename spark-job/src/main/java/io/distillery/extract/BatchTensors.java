package io.distillery.extract;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The teacher's outputs for one batch of views, per packed column: a flat C-order array with one equal-length slice
 * per view. Float columns are packed in the dataset's dtype; int columns (top-k class indices) as int32.
 */
record BatchTensors(Map<String, float[]> floats, Map<String, int[]> ints) {
    BatchTensors() {
        this(new LinkedHashMap<>(), new LinkedHashMap<>());
    }
}
