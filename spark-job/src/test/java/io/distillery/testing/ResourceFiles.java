package io.distillery.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Classpath resources as files. Fixtures of common's test jar (the tiny BERT under {@code /bert/}) are directories
 * when a module is built with {@code -am} but zip entries of {@code distillery-common-tests.jar} in a full {@code mvn
 * verify}, where {@code Path.of(url.toURI())} fails: each resource is copied once into a temporary folder.
 */
public final class ResourceFiles {
    private static Path dir;

    private ResourceFiles() {}

    /** The file holding classpath resource {@code resource} (absolute, e.g. {@code /bert/config.json}). */
    public static synchronized Path of(String resource) {
        try {
            if (dir == null) {
                dir = Files.createTempDirectory("distillery-test-resources");
            }
            Path target = dir.resolve(resource.substring(1));
            if (!Files.exists(target)) {
                Files.createDirectories(target.getParent());
                try (InputStream in = ResourceFiles.class.getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IllegalArgumentException("no classpath resource " + resource);
                    }
                    Files.copy(in, target);
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
