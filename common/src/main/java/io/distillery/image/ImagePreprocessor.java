package io.distillery.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Turns images of the model's input size into a normalised float32 batch [B, 3, H, W]. There is no resizing:
 * an image of another size is rejected, so a mis-sized dataset cannot silently change what the model sees.
 */
public final class ImagePreprocessor {

    private final int height;
    private final int width;
    private final ImageNormalizer normalizer;

    public ImagePreprocessor(int height, int width, ImageNormalizer normalizer) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + height + "x" + width + " (HxW)");
        }
        this.height = height;
        this.width = width;
        this.normalizer = Objects.requireNonNull(normalizer, "normalizer");
    }

    /** A square input size with the given mean and std (per R, G, B channel). */
    public static ImagePreprocessor square(int size, double[] mean, double[] std) {
        return new ImagePreprocessor(size, size, new ImageNormalizer(mean, std));
    }

    public INDArray batch(List<RgbImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("cannot build a batch from 0 images");
        }
        int perImage = 3 * height * width;
        float[] data = new float[Math.multiplyExact(images.size(), perImage)];
        for (int b = 0; b < images.size(); b++) {
            RgbImage image = images.get(b);
            requireExpectedSize(image);
            normalizer.writeChw(image, data, b * perImage);
        }
        return Nd4j.create(data, new long[] {images.size(), 3, height, width}, 'c');
    }

    /** Decodes the files and batches them in the given order. */
    public INDArray batchFiles(List<Path> files) throws IOException {
        List<RgbImage> images = new ArrayList<>(files.size());
        for (Path f : files) {
            images.add(ImageDecoder.decode(f));
        }
        return batch(images);
    }

    private void requireExpectedSize(RgbImage image) {
        if (image.width() != width || image.height() != height) {
            throw new IllegalArgumentException("image " + image.source() + " is " + image.width() + "x" + image.height()
                    + " (WxH), expected " + width + "x" + height + "; resizing is not supported");
        }
    }
}
