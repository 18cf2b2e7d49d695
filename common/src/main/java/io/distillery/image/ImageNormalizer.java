package io.distillery.image;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * torchvision's {@code to_tensor} + {@code normalize} for one image: value = {@code ((float) p / 255f - mean[c]) /
 * std[c]}, every step in float32, written as CHW (channel R, G, B).
 *
 * <p>mean/std arrive as doubles (config) and are rounded to float first, exactly as torchvision does when it
 * turns them into float32 tensors; dividing by 255 and normalising must also stay in float32. This order
 * reproduces the parity fixture {@code input.npy} bit for bit, whereas computing in double and rounding once
 * at the end does not.
 */
public final class ImageNormalizer {

    private final float[] mean;
    private final float[] std;

    public ImageNormalizer(double[] mean, double[] std) {
        this.mean = toChannelFloats("mean", mean);
        this.std = toChannelFloats("std", std);
        for (float s : this.std) {
            if (!(s > 0f) || Float.isInfinite(s)) {
                throw new IllegalArgumentException("std must be positive and finite, got " + Arrays.toString(std));
            }
        }
    }

    private static float[] toChannelFloats(String name, double[] values) {
        if (values == null || values.length != 3) {
            throw new IllegalArgumentException(name + " needs 3 values (R, G, B), got " + Arrays.toString(values));
        }
        float[] f = new float[3];
        for (int c = 0; c < 3; c++) {
            f[c] = (float) values[c];
            if (!Float.isFinite(f[c])) {
                throw new IllegalArgumentException(name + " must be finite, got " + Arrays.toString(values));
            }
        }
        return f;
    }

    /** The normalised value of one 8-bit sample of channel {@code c}. */
    public float normalize(int sample, int channel) {
        return ((float) sample / 255f - mean[channel]) / std[channel];
    }

    /** Writes the image as CHW floats into {@code dst} starting at {@code offset} (3*H*W values). */
    public void writeChw(RgbImage image, float[] dst, int offset) {
        byte[] rgb = image.rgbBytes();
        int plane = image.width() * image.height();
        for (int c = 0; c < 3; c++) {
            // Only 256 distinct inputs per channel: a lookup table keeps the loop cheap and the values identical.
            float[] table = new float[256];
            for (int p = 0; p < 256; p++) {
                table[p] = normalize(p, c);
            }
            int base = offset + c * plane;
            for (int i = 0; i < plane; i++) {
                dst[base + i] = table[rgb[3 * i + c] & 0xFF];
            }
        }
    }

    /** The image as a float32 [3, H, W] array. */
    public INDArray normalize(RgbImage image) {
        float[] chw = new float[3 * image.width() * image.height()];
        writeChw(image, chw, 0);
        return Nd4j.create(chw, new long[] {3, image.height(), image.width()}, 'c');
    }
}
