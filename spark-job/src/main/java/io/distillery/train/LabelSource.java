package io.distillery.train;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * One block of columns of an output's labels array, filled from one feature row: a packed teacher tensor
 * ({@link PackedColumn}), a one-hot class ({@link ClassColumn}), or later e.g. teacher logits rebuilt from stored
 * top-k indices and values. Executor side and serialisable: it travels in the batcher's closure.
 */
interface LabelSource extends Serializable {

    /** Floats this source writes per row. */
    int width();

    /** The dataset columns it reads (selected before batching). */
    List<String> columns();

    /** Writes this row's {@link #width()} floats into {@code out} from {@code offset}; a bad cell names the row. */
    void fill(Row row, float[] out, int offset);
}
