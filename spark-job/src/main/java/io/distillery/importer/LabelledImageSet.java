package io.distillery.importer;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Map;

/**
 * A set of images with integer labels that {@link WebDatasetImporter} can turn into shards; {@link IdxDataset} is
 * one, other formats implement the same three methods.
 */
public interface LabelledImageSet {
    /** The number of samples. */
    int size();

    /** Image {@code index} (0-based), grayscale or RGB; it is stored as PNG. */
    BufferedImage image(int index);

    /** The label of sample {@code index}, at least 0. */
    int label(int index);

    /** Where the labels come from, for error messages (e.g. {@code labels file /data/train-labels-idx1-ubyte}). */
    String labelSource();

    /**
     * Where the samples come from, recorded as {@code source} in the import manifest: for files, their paths,
     * SHA-256 and shapes, so an import can be traced back to the exact input.
     */
    Map<String, Object> provenance() throws IOException;
}
