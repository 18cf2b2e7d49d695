package io.distillery.importer;

import io.distillery.provenance.Sha256;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An IDX3 image file and the IDX1 label file of the same samples (MNIST, Fashion-MNIST, EMNIST, KMNIST). */
public final class IdxDataset implements LabelledImageSet {
    private final IdxImages images;
    private final IdxLabels labels;

    /** Pairs images and labels; they must have the same count. */
    public IdxDataset(IdxImages images, IdxLabels labels) {
        if (images.count() != labels.count()) {
            throw new IdxFormatException("images file " + images.file() + " holds " + images.count()
                    + " images but labels file " + labels.file() + " holds " + labels.count()
                    + " labels; they must describe the same samples");
        }
        if (images.count() == 0) {
            throw new IdxFormatException("images file " + images.file() + " holds no images");
        }
        this.images = images;
        this.labels = labels;
    }

    /** Reads and checks both files ({@link IdxReader}); a missing file is an {@link IllegalArgumentException}. */
    public static IdxDataset read(Path imageFile, Path labelFile) throws IOException {
        requireFile(imageFile, "images");
        requireFile(labelFile, "labels");
        return new IdxDataset(IdxReader.readImages(imageFile), IdxReader.readLabels(labelFile));
    }

    private static void requireFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(
                    what + " file " + file + (Files.exists(file) ? " is not a regular file" : " does not exist"));
        }
    }

    public IdxImages images() {
        return images;
    }

    public IdxLabels labels() {
        return labels;
    }

    @Override
    public int size() {
        return images.count();
    }

    @Override
    public BufferedImage image(int index) {
        BufferedImage image = new BufferedImage(images.cols(), images.rows(), BufferedImage.TYPE_BYTE_GRAY);
        image.getRaster().setDataElements(0, 0, images.cols(), images.rows(), images.image(index));
        return image;
    }

    @Override
    public int label(int index) {
        return labels.label(index);
    }

    @Override
    public String labelSource() {
        return "labels file " + labels.file();
    }

    @Override
    public Map<String, Object> provenance() throws IOException {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("format", "idx");
        source.put("images", file(images.file(), List.of(images.count(), images.rows(), images.cols())));
        source.put("labels", file(labels.file(), List.of(labels.count())));
        return source;
    }

    private static Map<String, Object> file(Path path, List<Integer> shape) throws IOException {
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("path", path.toAbsolutePath().normalize().toString());
        file.put("bytes", Files.size(path));
        file.put("sha256", Sha256.of(path));
        file.put("shape", shape);
        return file;
    }
}
