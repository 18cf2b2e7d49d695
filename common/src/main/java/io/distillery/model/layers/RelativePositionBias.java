package io.distillery.model.layers;

import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BEiT's per-block relative position bias {@code bias[h, i, j] = table[index[i, j], h]} (see
 * {@link RelativePositionIndex}), built from matmuls with small one-hot matrices instead of a gather: SameDiff
 * M2.1's gather backward gives wrong gradients for repeated indices (caught by the gradient check), and a full
 * one-hot of the index would be T^2 x table rows per layer. The patch-pair part factorises into a row-offset and a
 * column-offset one-hot ({@code [G*G, 2G-1]} each); the three CLS entries are the table's last rows.
 */
public final class RelativePositionBias {
    private RelativePositionBias() {}

    /** @return the bias [H, T, T] for a table [(2G-1)^2 + 3, H], in the table's data type */
    public static SDVariable define(SameDiff sd, SDVariable table, int grid, int heads, DataType dataType) {
        int w = 2 * grid - 1;
        int n = grid * grid;
        int size = RelativePositionIndex.tableSize(grid);
        SDVariable offsets = sd.constant(offsetOneHot(grid).castTo(dataType)); // [(a, b), a - b + G - 1]

        // rows (dy) first: [w, w*H] -> [(yi, yj), (dx, h)]
        SDVariable patchTable =
                table.get(SDIndex.interval(0, w * w), SDIndex.all()).reshape(w, (long) w * heads);
        SDVariable byRow = sd.mmul(offsets, patchTable)
                .reshape(n, w, heads)
                .permute(0, 2, 1)
                .reshape((long) n * heads, w);
        // then columns (dx): [(yi, yj, h), (xi, xj)] -> [h, (yi, xi), (yj, xj)]
        SDVariable patches = sd.mmul(byRow, offsets, false, true, false)
                .reshape(grid, grid, heads, grid, grid)
                .permute(2, 0, 3, 1, 4)
                .reshape(heads, n, n);

        SDVariable clsToPatch = row(table, size - 3, heads);
        SDVariable patchToCls = row(table, size - 2, heads);
        SDVariable clsToCls = row(table, size - 1, heads);
        SDVariable topRow = sd.concat(
                2, clsToCls, sd.constant(Nd4j.zeros(dataType, heads, 1, n)).add(clsToPatch));
        SDVariable body =
                sd.concat(2, sd.constant(Nd4j.zeros(dataType, heads, n, 1)).add(patchToCls), patches);
        return sd.concat(1, topRow, body);
    }

    /** Table row k as [H, 1, 1]. */
    private static SDVariable row(SDVariable table, int k, int heads) {
        return table.get(SDIndex.interval(k, k + 1), SDIndex.all()).reshape(heads, 1, 1);
    }

    /** One-hot [G*G, 2G-1]: row (a, b) has its 1 at a - b + G - 1 (a = query coordinate, b = key coordinate). */
    static org.nd4j.linalg.api.ndarray.INDArray offsetOneHot(int grid) {
        float[][] oneHot = new float[grid * grid][2 * grid - 1];
        for (int a = 0; a < grid; a++) {
            for (int b = 0; b < grid; b++) {
                oneHot[a * grid + b][a - b + grid - 1] = 1f;
            }
        }
        return Nd4j.create(oneHot);
    }
}
