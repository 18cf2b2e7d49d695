package io.distillery.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Fashion-MNIST subset bundled in {@code data/fashion-mnist-subset} imports completely (skipped without it). */
class BundledSubsetTest {
    private static final Path SUBSET =
            Path.of(System.getProperty("distillery.root", ".")).resolve("data/fashion-mnist-subset");

    @TempDir
    Path out;

    @Test
    void trainAndTestSubsetsImport() throws IOException {
        assumeTrue(Files.isDirectory(SUBSET), "no bundled subset at " + SUBSET);
        for (Map.Entry<String, Integer> split :
                Map.of("train", 2000, "t10k", 500).entrySet()) {
            IdxDataset set = IdxDataset.read(
                    SUBSET.resolve(split.getKey() + "-images-idx3-ubyte.gz"),
                    SUBSET.resolve(split.getKey() + "-labels-idx1-ubyte.gz"));
            assertThat(set.images().rows()).isEqualTo(28);
            assertThat(set.images().cols()).isEqualTo(28);
            Path dir = out.resolve(split.getKey());

            WebDatasetImporter.Result result = WebDatasetImporter.run(
                    set,
                    new ImportOptions(
                            dir, "fashion-mnist-" + split.getKey(), 1000, null, ClassNames.FASHION_MNIST, false));

            int samples = split.getValue();
            assertThat(result.samples()).isEqualTo(samples);
            assertThat(result.shards()).hasSize((samples + 999) / 1000);
            JsonNode manifest = ImportManifest.read(dir);
            assertThat(manifest.get("label_counts")).as("all ten classes occur").hasSize(10);
            int total = 0;
            for (JsonNode count : manifest.get("label_counts")) {
                total += count.asInt();
            }
            assertThat(total).isEqualTo(samples);
        }
        assertThat(SUBSET.resolve("LICENSE")).isRegularFile();
    }
}
