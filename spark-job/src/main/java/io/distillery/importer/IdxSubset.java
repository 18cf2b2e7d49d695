package io.distillery.importer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the first N samples of an IDX image/label pair as a new pair (gzip-compressed for {@code .gz} names); made
 * the bundled {@code data/fashion-mnist-subset} (see its README). Both inputs are read and checked by
 * {@link IdxReader} first.
 *
 * <pre>
 * java -cp spark-job/target/classes:common/target/classes io.distillery.importer.IdxSubset \
 *     IMAGES LABELS N OUT_IMAGES OUT_LABELS
 * </pre>
 */
public final class IdxSubset {
    private IdxSubset() {}

    /** Writes the first {@code n} samples of {@code images}/{@code labels} to {@code outImages}/{@code outLabels}. */
    public static void writeFirst(Path images, Path labels, int n, Path outImages, Path outLabels) throws IOException {
        IdxDataset source = IdxDataset.read(images, labels);
        if (n < 1 || n > source.size()) {
            throw new IllegalArgumentException("N " + n + " must be within 1.." + source.size());
        }
        for (Path out : new Path[] {outImages, outLabels}) {
            Path parent = out.toAbsolutePath().getParent();
            Files.createDirectories(parent);
        }
        IdxWriter.writeImages(outImages, source.images().first(n));
        IdxWriter.writeLabels(outLabels, source.labels().first(n));
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 5) {
            System.err.println("usage: IdxSubset IMAGES LABELS N OUT_IMAGES OUT_LABELS");
            System.exit(2);
        }
        writeFirst(Path.of(args[0]), Path.of(args[1]), Integer.parseInt(args[2]), Path.of(args[3]), Path.of(args[4]));
    }
}
