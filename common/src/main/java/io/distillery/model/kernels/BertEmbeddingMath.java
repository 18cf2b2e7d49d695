package io.distillery.model.kernels;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * BERT's embeddings on token ids [B, T] (row-major int arrays): {@code LayerNorm((word[id] + type[typeId]) +
 * position[t])}, positions 0..T-1, summed in Hugging Face's order (word and token type first). Parameters: {@code
 * wordW} [V, D], {@code posW} [P, D], {@code typeW} [Ty, D] (PyTorch's embedding tables), {@code normW}, {@code
 * normB} [D]. Inference only; dropout is the identity.
 */
public final class BertEmbeddingMath {
    private final int tokens;
    private final int dim;
    private final double eps;

    public BertEmbeddingMath(int tokens, int dim, double eps) {
        this.tokens = tokens;
        this.dim = dim;
        this.eps = eps;
    }

    /** The embedding output [B, T*D], allocated by {@code output}. */
    public INDArray forward(int[] ids, int[] typeIds, Map<String, INDArray> p, OutputAllocator output) {
        if (ids.length % tokens != 0 || typeIds.length != ids.length) {
            throw new IllegalArgumentException("ids (" + ids.length + ") and token type ids (" + typeIds.length
                    + ") must both be batch x " + tokens + " values");
        }
        long batch = ids.length / tokens;
        INDArray words = p.get("wordW");
        INDArray positions = p.get("posW");
        INDArray types = p.get("typeW");
        checkRows("token id", ids, words.size(0));
        checkRows("token type id", typeIds, types.size(0));
        if (tokens > positions.size(0)) {
            throw new IllegalArgumentException(
                    tokens + " tokens, but the model has " + positions.size(0) + " positions");
        }
        DataType type = words.dataType();
        Buffers buf = Buffers.scratch();
        INDArray typeRows = buf.obtain("bert.embed.types", type, ids.length, dim);
        INDArray out = output.create(type, batch, (long) tokens * dim);
        INDArray x = out.reshape('c', ids.length, dim);
        Nd4j.pullRows(words, x, 1, ids);
        Nd4j.pullRows(types, typeRows, 1, typeIds);
        x.addi(typeRows);
        INDArray table = positions.get(NDArrayIndex.interval(0, tokens), NDArrayIndex.all());
        out.addiRowVector(Blas.rows(table, tokens, dim).reshape((long) tokens * dim));
        LayerNormKernel.forward(x, p.get("normW"), p.get("normB"), eps, x, null, null);
        return out;
    }

    /** A native gather outside its table would read foreign memory: check every index first. */
    private static void checkRows(String what, int[] values, long rows) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] < 0 || values[i] >= rows) {
                throw new IllegalArgumentException(
                        what + " " + values[i] + " at position " + i + " is outside [0, " + rows + ")");
            }
        }
    }
}
