package io.distillery.extract;

import io.distillery.features.FeatureColumns;
import io.distillery.features.FeatureMetadata;
import io.distillery.model.ModelConfig;
import io.distillery.model.kernels.NativeEngine;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/** The {@code attention_LL} columns ({@code store.attention}): chosen blocks' attention probabilities per view. */
final class AttentionColumns {
    private static final String KEY = ExtractSettings.SECTION + ".store.attention";

    private AttentionColumns() {}

    /** Checks the 1-based {@code blocks} against the teacher and adds their columns. */
    static void describe(
            List<Integer> blocks, ModelConfig teacher, String dtype, List<FeatureMetadata.TensorColumn> columns) {
        if (blocks.isEmpty()) {
            return;
        }
        // only the native inference pass exposes the probabilities: say so here rather than in every task
        if (!NativeEngine.enabled(DataType.FLOAT)) {
            throw new IllegalArgumentException(KEY + " needs the native engine (ND4J's CPU backend, -D"
                    + NativeEngine.PROPERTY + "=native); this JVM would run the teacher's SameDiff layers");
        }
        long t = teacher.tokens();
        for (int block : blocks) {
            if (block > teacher.depth()) {
                throw new IllegalArgumentException(
                        KEY + ": block " + block + " exceeds the teacher's depth " + teacher.depth());
            }
            columns.add(new FeatureMetadata.TensorColumn(
                    FeatureColumns.attention(block),
                    dtype,
                    List.of((long) teacher.numHeads(), t, t),
                    "C order",
                    "attention probabilities of block " + block + ": softmax(q k^T / sqrt(head_dim)"
                            + (teacher.useRelPosBias() ? " + relative position bias" : "")
                            + ") per head, query rows, key columns (CLS first); rows sum to 1"));
        }
    }
}
