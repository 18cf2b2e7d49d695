package io.distillery.npy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Locates the parity fixtures (src/test/resources/parity) on the test classpath. */
public final class ParityFiles {

    private ParityFiles() {
    }

    public static Path root() {
        URL manifest = ParityFiles.class.getResource("/parity/manifest.json");
        if (manifest == null) {
            throw new IllegalStateException("parity fixtures not on the test classpath (/parity/manifest.json)");
        }
        try {
            return Path.of(manifest.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path file(String relative) {
        return root().resolve(relative);
    }

    /** Reads a fixture array, e.g. {@code "teacher_beitv2/mlp_out_01"} (".npy" is added). */
    public static INDArray array(String name) {
        try {
            return NpyReader.read(file(name + ".npy"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
