package io.distillery.scoring;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * uint8 HWC RGB views (the feature-dataset pixel layout) to a normalised float [B, 3, S, S] batch:
 * {@code (pixel/255 - mean) / std}, the same as the teacher saw. Built from one float array per batch (never from a
 * heap ByteBuffer, see the field notes).
 */
public final class PixelBatch {
    private PixelBatch() {}

    /** @param describe names a row in errors (row index to e.g. "key k view v") */
    public static INDArray toImages(
            List<byte[]> views,
            int size,
            double[] mean,
            double[] std,
            java.util.function.IntFunction<String> describe) {
        int n = views.size();
        int plane = size * size;
        float[] pixels = new float[n * 3 * plane];
        for (int r = 0; r < n; r++) {
            byte[] hwc = views.get(r);
            if (hwc == null || hwc.length != 3 * plane) {
                throw new IllegalArgumentException(describe.apply(r) + ": pixels have "
                        + (hwc == null ? "no" : hwc.length) + " bytes, expected " + 3 * plane + " (" + size + "x"
                        + size + "x3)");
            }
            int base = r * 3 * plane;
            for (int i = 0; i < plane; i++) {
                for (int c = 0; c < 3; c++) {
                    double v = (hwc[3 * i + c] & 0xFF) / 255.0;
                    pixels[base + c * plane + i] = (float) ((v - mean[c]) / std[c]);
                }
            }
        }
        return Nd4j.create(pixels, new long[] {n, 3, size, size}, DataType.FLOAT);
    }
}
