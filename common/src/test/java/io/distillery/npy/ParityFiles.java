package io.distillery.npy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Locates the parity fixtures (src/test/resources/parity) on the test classpath. */
public final class ParityFiles {

    private ParityFiles() {}

    /**
     * The fixture folder. Modules that get the fixtures from common's test-jar (no file: URL) find them through the
     * {@code distillery.parity.dir} system property the parent pom sets for surefire and failsafe.
     */
    public static Path root() {
        String dir = System.getProperty("distillery.parity.dir");
        if (dir != null && java.nio.file.Files.isDirectory(Path.of(dir))) {
            return Path.of(dir);
        }
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
