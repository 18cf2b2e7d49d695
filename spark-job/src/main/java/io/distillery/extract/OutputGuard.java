package io.distillery.extract;

import io.distillery.features.TensorDType;
import io.distillery.numerics.FiniteValues;
import java.util.Locale;

/**
 * Stops a non-finite teacher output before it becomes a row: a NaN/Inf (or a value the column's dtype cannot hold,
 * which packing would turn into Inf) fails the whole shard, so no committed row ever carries one.
 */
final class OutputGuard {
    /** Largest finite bfloat16 (0x7F7F); larger floats round to Inf. */
    private static final float BF16_MAX = Float.intBitsToFloat(0x7F7F0000);

    private OutputGuard() {}

    /** @throws NonFiniteOutputException naming the shard, key, view and column */
    static void check(
            String shard, PendingView view, String column, float[] flat, int from, int length, TensorDType dtype) {
        check(
                shard,
                "key '" + view.sample().key() + "' view " + view.view().index(),
                column,
                flat,
                from,
                length,
                dtype);
    }

    /** @param row names the row in the message, e.g. {@code key 'a:3'} */
    static void check(String shard, String row, String column, float[] flat, int from, int length, TensorDType dtype) {
        float limit = switch (dtype) {
            case FP16 -> FiniteValues.FP16_MAX;
            case BF16 -> BF16_MAX;
            case FP32 -> Float.MAX_VALUE;
        };
        int bad = FiniteValues.firstBad(flat, from, length, limit);
        if (bad < 0) {
            return;
        }
        float value = flat[from + bad];
        String what = Float.isFinite(value)
                ? String.format(
                        Locale.ROOT,
                        "value %s at element %d, beyond the range of %s (store it as fp32)",
                        FiniteValues.describe(value),
                        bad,
                        dtype.id())
                : FiniteValues.describe(value) + " at element " + bad + " (the teacher's output is not finite)";
        throw new NonFiniteOutputException("shard " + shard + ": " + row + ": column '" + column + "' holds " + what
                + "; the shard was not committed");
    }

    /** A teacher output that must not be stored; fails its shard. */
    static final class NonFiniteOutputException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NonFiniteOutputException(String message) {
            super(message);
        }
    }
}
