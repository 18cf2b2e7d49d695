package io.distillery.model.layers;

/**
 * MAE's fixed 2D sin-cos table ({@code get_2d_sincos_pos_embed}, cls_token=False) as used by data2vec 2.0:
 * for patch {@code n = gy*G + gx}, {@code [sin(gx w), cos(gx w), sin(gy w), cos(gy w)]}, each D/4 long with
 * {@code w_k = 1 / 10000^(k / (D/4))}. The column (x) comes first. Computed in double, rounded to float.
 */
public final class SinCosPositions {
    private SinCosPositions() {}

    /** The table as [N][D], N = G*G. */
    public static float[][] table(int grid, int dim) {
        if (dim % 4 != 0) {
            throw new IllegalArgumentException("sin-cos positions need embed_dim divisible by 4, got " + dim);
        }
        int quarter = dim / 4;
        double[] omega = new double[quarter];
        for (int k = 0; k < quarter; k++) {
            omega[k] = 1.0 / Math.pow(10000.0, (double) k / quarter);
        }
        float[][] table = new float[grid * grid][dim];
        for (int gy = 0; gy < grid; gy++) {
            for (int gx = 0; gx < grid; gx++) {
                float[] row = table[gy * grid + gx];
                for (int k = 0; k < quarter; k++) {
                    row[k] = (float) Math.sin(gx * omega[k]);
                    row[quarter + k] = (float) Math.cos(gx * omega[k]);
                    row[2 * quarter + k] = (float) Math.sin(gy * omega[k]);
                    row[3 * quarter + k] = (float) Math.cos(gy * omega[k]);
                }
            }
        }
        return table;
    }
}
