package io.distillery.train;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * A partition's rows as training batches, made lazily: each {@code next()} takes up to {@code size} rows and turns
 * them into one batch, so a partition never sits in memory whole. The batchers of every student share it.
 */
final class RowBatches {
    private RowBatches() {}

    static Iterator<MultiDataSet> of(Iterator<Row> rows, int size, Function<List<Row>, MultiDataSet> toBatch) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public MultiDataSet next() {
                List<Row> batch = new ArrayList<>(size);
                while (rows.hasNext() && batch.size() < size) {
                    batch.add(rows.next());
                }
                return toBatch.apply(batch);
            }
        };
    }
}
