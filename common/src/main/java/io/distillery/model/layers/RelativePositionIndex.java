package io.distillery.model.layers;

/**
 * timm's {@code gen_relative_position_index} for a G x G patch grid plus one CLS token: patch pairs use
 * {@code (dy + G - 1) * (2G - 1) + (dx + G - 1)} (query minus key, row offset major); the last three table rows
 * are CLS-to-patch (row 0), patch-to-CLS (column 0) and CLS-to-CLS.
 */
public final class RelativePositionIndex {
    private RelativePositionIndex() {}

    public static int tableSize(int grid) {
        return (2 * grid - 1) * (2 * grid - 1) + 3;
    }

    /** The index as [T][T], T = G*G + 1, token 0 = CLS. */
    public static int[][] index(int grid) {
        int tokens = grid * grid + 1;
        int size = tableSize(grid);
        int[][] index = new int[tokens][tokens];
        for (int i = 0; i < grid * grid; i++) {
            for (int j = 0; j < grid * grid; j++) {
                int dy = i / grid - j / grid + grid - 1;
                int dx = i % grid - j % grid + grid - 1;
                index[i + 1][j + 1] = dy * (2 * grid - 1) + dx;
            }
        }
        for (int t = 0; t < tokens; t++) {
            index[0][t] = size - 3;
            index[t][0] = size - 2;
        }
        index[0][0] = size - 1;
        return index;
    }

    /** Row-major flattening of {@link #index(int)}. */
    public static int[] flat(int grid) {
        int[][] index = index(grid);
        int tokens = index.length;
        int[] flat = new int[tokens * tokens];
        for (int i = 0; i < tokens; i++) {
            System.arraycopy(index[i], 0, flat, i * tokens, tokens);
        }
        return flat;
    }
}
