package io.distillery.model.kernels;

import io.distillery.model.layers.RelativePositionIndex;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BEiT's relative position bias {@code bias[h, i, j] = table[index[i, j], h]} as a gather, and its gradient as
 * the matching scatter-add (repeated indices accumulate) over the table's rows.
 */
public final class RelPosBiasKernel {
    private final int[] index;
    private final int tableRows;
    private final int heads;

    public RelPosBiasKernel(int grid, int heads) {
        this.index = RelativePositionIndex.flat(grid);
        this.tableRows = RelativePositionIndex.tableSize(grid);
        this.heads = heads;
    }

    /**
     * @param table [rows, H]
     * @return the bias [H, T*T], a new dense array (gathered on the heap: ND4J's getRows makes one array per row)
     */
    public INDArray bias(INDArray table) {
        double[] values = table.dup('c').reshape((long) tableRows * heads).toDoubleVector();
        int pairs = index.length;
        double[] bias = new double[heads * pairs];
        for (int h = 0; h < heads; h++) {
            int base = h * pairs;
            for (int k = 0; k < pairs; k++) {
                bias[base + k] = values[index[k] * heads + h];
            }
        }
        return Nd4j.create(bias, new long[] {heads, pairs}, table.dataType());
    }

    /** Writes the table's gradient for {@code biasGrad} = dL/dbias [H*T*T] into {@code tableGrad} [rows, H]. */
    public void backward(INDArray biasGrad, INDArray tableGrad) {
        int pairs = index.length;
        double[] grad = biasGrad.dup('c').reshape((long) heads * pairs).toDoubleVector();
        double[] table = new double[tableRows * heads];
        for (int h = 0; h < heads; h++) {
            int base = h * pairs;
            for (int k = 0; k < pairs; k++) {
                table[index[k] * heads + h] += grad[base + k];
            }
        }
        tableGrad.assign(Nd4j.create(table, new long[] {tableRows, heads}, tableGrad.dataType())
                .reshape(tableGrad.shape()));
    }
}
