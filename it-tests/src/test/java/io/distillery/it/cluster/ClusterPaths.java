package io.distillery.it.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where the build and the checkout are (failsafe passes them as system properties). */
public final class ClusterPaths {
    public static final Path ROOT = Path.of(System.getProperty("distillery.root", ".."))
            .toAbsolutePath()
            .normalize();
    public static final String BUILD_DIR = System.getProperty("distillery.buildDir", "target");
    public static final Path PARITY = ROOT.resolve("common/src/test/resources/parity");

    private ClusterPaths() {}

    /** The Java 17 flags of deploy/jvm.args, one per element. */
    public static List<String> jvmArgs() throws IOException {
        return Files.readAllLines(ROOT.resolve("deploy/jvm.args")).stream()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .toList();
    }
}
