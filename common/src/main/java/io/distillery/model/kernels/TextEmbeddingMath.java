package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scatter.ScatterUpdate;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * BERT's embeddings as a trainable layer: the input is [B, 2T], token ids then token type ids (floats holding
 * integers, a MergeVertex of two graph inputs), the output [B, T*D] is {@code LayerNorm(word[id] + type[typeId] +
 * position[t])} with positions 0..T-1, summed in {@link BertEmbeddingMath}'s (Hugging Face's) order. The backward
 * pass scatter-adds the rows' gradients into the word and token type tables (a repeated id accumulates) and sums
 * the position gradients over the batch; the ids get a zero gradient. Parameters as in BertEmbeddingMath.
 */
public final class TextEmbeddingMath implements NativeLayerMath {
    private final int tokens;
    private final int dim;
    private final double eps;

    public TextEmbeddingMath(int tokens, int dim, double eps) {
        this.tokens = tokens;
        this.dim = dim;
        this.eps = eps;
    }

    @Override
    public INDArray forward(INDArray input, Map<String, INDArray> p, SavedTensors saved, OutputAllocator output) {
        long batch = input.size(0);
        long rows = batch * tokens;
        INDArray words = p.get("wordW");
        INDArray positions = p.get("posW");
        INDArray types = p.get("typeW");
        if (tokens > positions.size(0)) {
            throw new IllegalArgumentException(
                    tokens + " tokens, but the model has " + positions.size(0) + " positions");
        }
        int[] ids = rowsOf(input, 0, words.size(0), "token id");
        int[] typeIds = rowsOf(input, tokens, types.size(0), "token type id");
        DataType type = words.dataType();
        Buffers buf = NativeLayerMath.buffers(saved);
        INDArray typeRows = buf.obtain("embed.types", type, rows, dim);
        INDArray out = output.create(type, batch, (long) tokens * dim);
        INDArray x = out.reshape('c', rows, dim);
        Nd4j.pullRows(words, x, 1, ids);
        Nd4j.pullRows(types, typeRows, 1, typeIds);
        x.addi(typeRows);
        INDArray table = positions.get(NDArrayIndex.interval(0, tokens), NDArrayIndex.all());
        out.addiRowVector(Blas.rows(table, tokens, dim).reshape((long) tokens * dim));
        LayerNormKernel.forward(x, p.get("normW"), p.get("normB"), eps, x, saved, "norm");
        return out;
    }

    @Override
    public INDArray backward(
            INDArray epsilon,
            INDArray input,
            Map<String, INDArray> p,
            Map<String, INDArray> g,
            SavedTensors saved,
            OutputAllocator inputGrad) {
        long batch = epsilon.size(0);
        long rows = batch * tokens;
        DataType type = epsilon.dataType();
        INDArray dx = Buffers.scratch().obtain("embed.dx", type, rows, dim);
        LayerNormKernel.backward(
                Blas.rows(epsilon, rows, dim), saved.norm("norm"), p.get("normW"), g.get("normW"), g.get("normB"), dx);
        scatterAdd(g.get("wordW"), rowsOf(input, 0, p.get("wordW").size(0), "token id"), dx);
        scatterAdd(g.get("typeW"), rowsOf(input, tokens, p.get("typeW").size(0), "token type id"), dx);
        INDArray dPositions = g.get("posW");
        dPositions.assign(0);
        Blas.columnSums(
                dx.reshape('c', batch, (long) tokens * dim),
                dPositions.get(NDArrayIndex.interval(0, tokens), NDArrayIndex.all()));
        INDArray dInput = inputGrad.create(type, batch, 2L * tokens);
        return dInput.assign(0); // ids are data, not differentiable
    }

    /** {@code table[ids[i]] += rows[i]} for every row, after zeroing the table (DL4J's EmbeddingLayer does the same). */
    private static void scatterAdd(INDArray table, int[] ids, INDArray rows) {
        table.assign(0);
        long[] indices = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            indices[i] = ids[i];
        }
        Nd4j.scatterUpdate(ScatterUpdate.UpdateOp.ADD, table, Nd4j.createFromArray(indices), rows, 1);
    }

    /** The ids in columns {@code [from, from + T)}, each checked against the table: a native gather must not stray. */
    private int[] rowsOf(INDArray input, long from, long tableRows, String what) {
        if (input.size(1) != 2L * tokens) {
            throw new IllegalArgumentException("the text embedding takes [batch, 2 x " + tokens
                    + "] (token ids, then token type ids), got " + input.size(1) + " columns");
        }
        int[] ids = IntegerColumns.read(input, from, tokens, what + "s");
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= tableRows) {
                throw new IllegalArgumentException(
                        what + " " + ids[i] + " at position " + i + " is outside [0, " + tableRows + ")");
            }
        }
        return ids;
    }
}
