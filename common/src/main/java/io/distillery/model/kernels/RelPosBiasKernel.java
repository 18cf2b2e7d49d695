package io.distillery.model.kernels;

import io.distillery.model.layers.RelativePositionIndex;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BEiT's relative position bias {@code bias[h, i, j] = table[index[i, j], h]} as a gather, and its gradient as
 * the matching scatter-add (repeated indices accumulate) over the table's rows. On a longer stream whose first
 * {@code G*G + 1} tokens are the image's (a multimodal student's shared blocks), the bias is that block of a
 * [T, T] grid and 0 elsewhere.
 */
public final class RelPosBiasKernel {
    private final int[] index;
    private final int tableRows;
    private final int heads;
    private final int imageTokens;
    private final int tokens;

    public RelPosBiasKernel(int grid, int heads) {
        this(grid, heads, grid * grid + 1);
    }

    /** @param tokens the attention's tokens T, at least {@code grid * grid + 1}; the image's come first */
    public RelPosBiasKernel(int grid, int heads, int tokens) {
        this.index = RelativePositionIndex.flat(grid);
        this.tableRows = RelativePositionIndex.tableSize(grid);
        this.heads = heads;
        this.imageTokens = grid * grid + 1;
        if (tokens < imageTokens) {
            throw new IllegalArgumentException("a relative position bias over a " + grid + " x " + grid
                    + " grid needs its " + imageTokens + " tokens, the attention has " + tokens);
        }
        this.tokens = tokens;
    }

    /** Position in the [T, T] grid of the k-th (query, key) pair of the image's [Ti, Ti]. */
    private int pair(int k) {
        return tokens == imageTokens ? k : (k / imageTokens) * tokens + k % imageTokens;
    }

    /**
     * @param table [rows, H]
     * @return the bias [H, T*T], a new dense array (gathered on the heap: ND4J's getRows makes one array per row)
     */
    public INDArray bias(INDArray table) {
        double[] values = table.dup('c').reshape((long) tableRows * heads).toDoubleVector();
        int pairs = index.length;
        int all = tokens * tokens;
        double[] bias = new double[heads * all];
        for (int h = 0; h < heads; h++) {
            int base = h * all;
            for (int k = 0; k < pairs; k++) {
                bias[base + pair(k)] = values[index[k] * heads + h];
            }
        }
        return Nd4j.create(bias, new long[] {heads, all}, table.dataType());
    }

    /** Writes the table's gradient for {@code biasGrad} = dL/dbias [H*T*T] into {@code tableGrad} [rows, H]. */
    public void backward(INDArray biasGrad, INDArray tableGrad) {
        int pairs = index.length;
        int all = tokens * tokens;
        double[] grad = biasGrad.dup('c').reshape((long) heads * all).toDoubleVector();
        double[] table = new double[tableRows * heads];
        for (int h = 0; h < heads; h++) {
            int base = h * all;
            for (int k = 0; k < pairs; k++) {
                table[index[k] * heads + h] += grad[base + pair(k)];
            }
        }
        tableGrad.assign(Nd4j.create(table, new long[] {tableRows, heads}, tableGrad.dataType())
                .reshape(tableGrad.shape()));
    }
}
