package io.distillery.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxSubsetTest {
    @TempDir
    Path dir;

    @Test
    void writesTheFirstSamplesReproducibly() throws IOException {
        IdxDataset source = IdxTestFiles.pair(dir, "img.gz", "lab.gz", 40, 28, 28);
        Path images = dir.resolve("sub/a-images-idx3-ubyte.gz");
        Path labels = dir.resolve("sub/a-labels-idx1-ubyte.gz");

        IdxSubset.writeFirst(source.images().file(), source.labels().file(), 15, images, labels);

        IdxDataset subset = IdxDataset.read(images, labels);
        assertThat(subset.size()).isEqualTo(15);
        assertThat(subset.images().pixels())
                .isEqualTo(Arrays.copyOf(source.images().pixels(), 15 * 784));
        assertThat(subset.labels().labels())
                .isEqualTo(Arrays.copyOf(source.labels().labels(), 15));
        byte[] first = Files.readAllBytes(images);
        IdxSubset.writeFirst(source.images().file(), source.labels().file(), 15, images, labels);
        assertThat(Files.readAllBytes(images))
                .as("gzip output has no time stamp")
                .isEqualTo(first);
        try (var files = Files.list(dir.resolve("sub"))) {
            assertThat(files).as("no temporary files left").hasSize(2);
        }
        assertThatThrownBy(() -> IdxSubset.writeFirst(
                        source.images().file(), source.labels().file(), 41, images, labels))
                .hasMessage("N 41 must be within 1..40");
    }
}
