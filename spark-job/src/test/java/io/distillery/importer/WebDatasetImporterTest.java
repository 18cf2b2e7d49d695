package io.distillery.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.distillery.image.ImageDecoder;
import io.distillery.image.RgbImage;
import io.distillery.provenance.Sha256;
import io.distillery.shards.InputOptions;
import io.distillery.shards.RawSample;
import io.distillery.shards.Shard;
import io.distillery.shards.ShardFormat;
import io.distillery.shards.ShardLister;
import io.distillery.shards.ShardPlan;
import io.distillery.shards.ShardReader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebDatasetImporterTest {
    @TempDir
    Path dir;

    private ImportOptions options(Path out, int shardSize) {
        return new ImportOptions(out, "fm-train", shardSize, null, ClassNames.FASHION_MNIST, false);
    }

    @Test
    void shardsHoldTheSourcePixelsAndLabels() throws IOException {
        IdxDataset source =
                IdxTestFiles.pair(dir, "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", 25, 28, 28);
        Path out = dir.resolve("out");

        WebDatasetImporter.Result result = WebDatasetImporter.run(source, options(out, 10));

        assertThat(result.samples()).isEqualTo(25);
        assertThat(ShardFiles.names(out))
                .containsExactly("fm-train-000000.tar", "fm-train-000001.tar", "fm-train-000002.tar", "import.json");
        assertThat(result.shards()).extracting(ShardInfo::samples).containsExactly(10, 10, 5);
        Set<String> keys = new HashSet<>();
        int index = 0;
        for (String tar : ShardFiles.tars(out)) {
            List<Map.Entry<String, byte[]>> members =
                    new ArrayList<>(ShardFiles.members(out.resolve(tar)).entrySet());
            assertThat(members).hasSizeBetween(2, 20);
            for (int m = 0; m < members.size(); m += 2, index++) {
                String key = String.format("fm-train/%06d", index);
                assertThat(members.get(m).getKey()).isEqualTo(key + ".png");
                assertThat(members.get(m + 1).getKey()).isEqualTo(key + ".cls");
                BufferedImage png =
                        ImageIO.read(new ByteArrayInputStream(members.get(m).getValue()));
                assertThat(png.getType()).isEqualTo(BufferedImage.TYPE_BYTE_GRAY);
                assertThat((byte[]) png.getRaster().getDataElements(0, 0, 28, 28, null))
                        .as(key)
                        .isEqualTo(source.images().image(index));
                assertThat(new String(members.get(m + 1).getValue(), StandardCharsets.US_ASCII))
                        .isEqualTo(Integer.toString(source.label(index)));
                assertThat(keys.add(key)).isTrue();
            }
        }
        assertThat(index).isEqualTo(25);
    }

    @Test
    void manifestRecordsCountsClassesAndChecksums() throws IOException {
        IdxDataset source = IdxTestFiles.pair(dir, "img.gz", "lab", 25, 4, 3);
        Path out = dir.resolve("out");
        WebDatasetImporter.run(source, options(out, 10));

        JsonNode manifest = ImportManifest.read(out);
        assertThat(manifest.get("format_version").asInt()).isEqualTo(ImportManifest.FORMAT_VERSION);
        assertThat(manifest.get("samples").asInt()).isEqualTo(25);
        assertThat(manifest.get("source_samples").asInt()).isEqualTo(25);
        assertThat(manifest.get("limit").isNull()).isTrue();
        assertThat(manifest.get("prefix").asText()).isEqualTo("fm-train");
        assertThat(manifest.get("shard_size").asInt()).isEqualTo(10);
        assertThat(manifest.get("classes").get(0).asText()).isEqualTo("T-shirt/top");
        assertThat(manifest.get("classes").get(9).asText()).isEqualTo("Ankle boot");
        int total = 0;
        for (JsonNode count : manifest.get("label_counts")) {
            total += count.asInt();
        }
        assertThat(total).isEqualTo(25);
        assertThat(manifest.at("/label_counts/3").asInt()).isEqualTo(countLabel(source, 3));
        assertThat(manifest.at("/source/images/sha256").asText()).isEqualTo(Sha256.of(dir.resolve("img.gz")));
        assertThat(manifest.at("/source/labels/sha256").asText()).isEqualTo(Sha256.of(dir.resolve("lab")));
        assertThat(manifest.at("/source/images/shape").toString()).isEqualTo("[25,4,3]");
        assertThat(manifest.get("shards")).hasSize(3);
        for (JsonNode shard : manifest.get("shards")) {
            Path tar = out.resolve(shard.get("name").asText());
            assertThat(shard.get("sha256").asText()).isEqualTo(Sha256.of(tar));
            assertThat(shard.get("bytes").asLong()).isEqualTo(Files.size(tar));
        }
        assertThat(manifest.at("/shards/2/first_key").asText()).isEqualTo("fm-train/000020");
        assertThat(manifest.at("/shards/2/last_key").asText()).isEqualTo("fm-train/000024");
        assertThat(manifest.at("/versions/java").asText()).isNotEmpty();
    }

    private static int countLabel(IdxDataset set, int label) {
        int n = 0;
        for (int i = 0; i < set.size(); i++) {
            n += set.label(i) == label ? 1 : 0;
        }
        return n;
    }

    @Test
    void plainAndGzipInputGiveByteEqualShards() throws IOException {
        IdxDataset plain = IdxTestFiles.pair(dir, "img", "lab", 12, 28, 28);
        IdxDataset gz = IdxTestFiles.pair(dir, "img.gz", "lab.gz", 12, 28, 28);
        assertThat(Files.size(dir.resolve("img.gz"))).isNotEqualTo(Files.size(dir.resolve("img")));
        WebDatasetImporter.Result a = WebDatasetImporter.run(
                IdxDataset.read(plain.images().file(), plain.labels().file()), options(dir.resolve("a"), 5));
        WebDatasetImporter.Result b = WebDatasetImporter.run(
                IdxDataset.read(gz.images().file(), gz.labels().file()), options(dir.resolve("b"), 5));
        assertThat(a.shards()).isEqualTo(b.shards());
    }

    @Test
    void extractReadsTheShardsAsWebdataset() throws IOException {
        IdxDataset source = IdxTestFiles.pair(dir, "img.gz", "lab.gz", 9, 28, 28);
        Path out = dir.resolve("out");
        WebDatasetImporter.run(source, options(out, 4));

        ShardPlan plan = ShardLister.list(InputOptions.of(ShardFormat.WEBDATASET, out.toString()), new Configuration());
        assertThat(plan.shards())
                .extracting(Shard::id)
                .containsExactly("fm-train-000000", "fm-train-000001", "fm-train-000002");
        int index = 0;
        for (Shard shard : plan.shards()) {
            try (ShardReader reader = ShardReader.open(
                    shard,
                    InputOptions.of(ShardFormat.WEBDATASET, out.toString()),
                    plan.classNames(),
                    new Configuration())) {
                while (reader.hasNext()) {
                    RawSample sample = reader.next();
                    assertThat(sample.key()).isEqualTo(String.format("fm-train/%06d", index));
                    assertThat(sample.label()).isEqualTo(source.label(index));
                    RgbImage rgb = ImageDecoder.decode(sample.image(), sample.imageName());
                    byte[] gray = source.images().image(index);
                    for (int y = 0; y < 28; y++) {
                        for (int x = 0; x < 28; x++) {
                            int expected = Byte.toUnsignedInt(gray[y * 28 + x]);
                            assertThat(new int[] {rgb.value(x, y, 0), rgb.value(x, y, 1), rgb.value(x, y, 2)})
                                    .as("%s (%d,%d)", sample.key(), x, y)
                                    .containsOnly(expected);
                        }
                    }
                    index++;
                }
            }
        }
        assertThat(index).isEqualTo(9);
    }

    @Test
    void limitImportsTheFirstSamplesWithTheSameKeys() throws IOException {
        IdxDataset source = IdxTestFiles.pair(dir, "img", "lab", 25, 3, 3);
        Path out = dir.resolve("out");
        WebDatasetImporter.Result result =
                WebDatasetImporter.run(source, new ImportOptions(out, "p", 4, 7, List.of(), false));

        assertThat(result.samples()).isEqualTo(7);
        assertThat(result.shards()).extracting(ShardInfo::samples).containsExactly(4, 3);
        assertThat(result.shards().get(1).lastKey()).isEqualTo("p/000006");
        JsonNode manifest = ImportManifest.read(out);
        assertThat(manifest.get("limit").asInt()).isEqualTo(7);
        assertThat(manifest.get("source_samples").asInt()).isEqualTo(25);
        assertThat(manifest.get("classes").isNull()).isTrue();
        assertThat(WebDatasetImporter.run(source, new ImportOptions(dir.resolve("all"), "p", 4, 100, List.of(), false))
                        .samples())
                .as("a limit above the size imports everything")
                .isEqualTo(25);
    }

    @Test
    void keysWidenForLargeSets() {
        assertThat(WebDatasetImporter.key("p", 5, 1_000_000)).isEqualTo("p/000005");
        assertThat(WebDatasetImporter.key("p", 5, 1_000_001)).isEqualTo("p/0000005");
    }

    @Test
    void refusesToReplaceACompleteImportUnlessAsked() throws IOException {
        IdxDataset source = IdxTestFiles.pair(dir, "img", "lab", 25, 3, 3);
        Path out = dir.resolve("out");
        WebDatasetImporter.run(source, options(out, 10));
        String before = Files.readString(out.resolve(ImportManifest.FILE));

        assertThatThrownBy(() -> WebDatasetImporter.run(source, options(out, 30)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("output folder " + out + " already holds a complete import (import.json); "
                        + "pass --overwrite to replace it");
        assertThat(Files.readString(out.resolve(ImportManifest.FILE))).isEqualTo(before);
        assertThat(ShardFiles.tars(out)).hasSize(3);

        // Replacing with one shard under another prefix leaves none of the old shards behind.
        WebDatasetImporter.run(source, new ImportOptions(out, "other", 30, null, List.of(), true));
        assertThat(ShardFiles.names(out)).containsExactly("import.json", "other-000000.tar");
        assertThat(ImportManifest.read(out).get("prefix").asText()).isEqualTo("other");
    }

    @Test
    void leftoversOfAKilledImportAreNotComplete() throws IOException {
        IdxDataset source = IdxTestFiles.pair(dir, "img", "lab", 25, 3, 3);
        Path out = Files.createDirectories(dir.resolve("out"));
        // What a killed run leaves: one renamed shard, one half-written temporary shard, no manifest.
        WebDatasetShardWriter killed = new WebDatasetShardWriter(out, "fm-train", 10);
        for (int i = 0; i < 15; i++) {
            killed.add(WebDatasetImporter.key("fm-train", i, 25), new byte[] {1, 2, 3}, 1);
        }
        assertThat(ShardFiles.names(out)).containsExactly(".fm-train-000001.tar.tmp", "fm-train-000000.tar");
        assertThat(ImportManifest.isComplete(out)).isFalse();
        assertThat(ShardLister.list(InputOptions.of(ShardFormat.WEBDATASET, out.toString()), new Configuration())
                        .shards())
                .as("the temporary shard is hidden from extract")
                .hasSize(1);

        // A rerun needs no --overwrite and replaces the leftovers.
        WebDatasetImporter.run(source, options(out, 10));
        assertThat(ShardFiles.names(out))
                .containsExactly("fm-train-000000.tar", "fm-train-000001.tar", "fm-train-000002.tar", "import.json");
        killed.close();
    }

    @Test
    void aFailureWhileWritingRemovesTheShardsAndLeavesNoManifest() throws IOException {
        IdxDataset source = IdxTestFiles.pair(dir, "img", "lab", 25, 3, 3);
        Path out = dir.resolve("out");
        WebDatasetImporter.run(source, options(out, 10));

        // An --overwrite run that fails half-way must not leave the old manifest beside new shards.
        assertThatThrownBy(() -> WebDatasetImporter.run(
                        new FailingSet(source, 15), new ImportOptions(out, "fm-train", 10, null, List.of(), true)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("disk on fire at sample 15");
        assertThat(ImportManifest.isComplete(out)).isFalse();
        assertThat(ShardFiles.names(out)).isEmpty();
    }

    @Test
    void badInputLeavesNoOutput() throws IOException {
        IdxDataset source = IdxTestFiles.pair(dir, "img", "lab", 25, 3, 3);
        Path out = dir.resolve("out");
        int firstBad = 0;
        while (source.label(firstBad) < 3) {
            firstBad++;
        }
        assertThat(firstBad).isLessThan(source.size());
        String expected = "labels file " + dir.resolve("lab") + ": sample " + firstBad + " has label "
                + source.label(firstBad) + ", but --classes names only 3 classes (0..2)";
        assertThatThrownBy(() -> WebDatasetImporter.run(
                        source, new ImportOptions(out, "p", 10, null, List.of("a", "b", "c"), false)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(expected);
        assertThat(out).doesNotExist();
    }

    @Test
    void foreignTarFilesInTheOutputAreAnError() throws IOException {
        IdxDataset source = IdxTestFiles.pair(dir, "img", "lab", 5, 3, 3);
        Path out = dir.resolve("out");
        Files.createDirectories(out.resolve("test"));
        Files.write(out.resolve("test/other-000000.tar"), new byte[1024]);
        Files.write(out.resolve(".hidden.tar"), new byte[1024]);
        Files.writeString(out.resolve("README"), "kept");

        assertThatThrownBy(() -> WebDatasetImporter.run(source, options(out, 10)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        "holds 1 .tar file(s) that are not part of this import (e.g. test/other-000000.tar)");
        Files.delete(out.resolve("test/other-000000.tar"));
        WebDatasetImporter.run(source, options(out, 10));
        assertThat(ShardFiles.names(out))
                .containsExactly(".hidden.tar", "README", "fm-train-000000.tar", "import.json", "test");
    }

    @Test
    void outputThatIsAFileIsAnError() throws IOException {
        IdxDataset source = IdxTestFiles.pair(dir, "img", "lab", 5, 3, 3);
        assertThatThrownBy(() -> WebDatasetImporter.run(source, options(dir.resolve("img"), 10)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("output folder " + dir.resolve("img") + " is a file");
    }

    @Test
    void optionsAreChecked() {
        Path out = dir.resolve("out");
        assertThatThrownBy(() -> new ImportOptions(out, "a.b", 10, null, List.of(), false))
                .hasMessageContaining("--prefix 'a.b' must be");
        assertThatThrownBy(() -> new ImportOptions(out, "_a", 10, null, List.of(), false))
                .hasMessageContaining("--prefix '_a' must be");
        assertThatThrownBy(() -> new ImportOptions(out, "a", 0, null, List.of(), false))
                .hasMessage("--shard-size 0 must be at least 1");
        assertThatThrownBy(() -> new ImportOptions(out, "a", 1, 0, List.of(), false))
                .hasMessage("--limit 0 must be at least 1");
    }

    @Test
    void defaultPrefixComesFromTheImageFileName() {
        assertThat(ImportOptions.defaultPrefix(Path.of("/x/train-images-idx3-ubyte.gz")))
                .isEqualTo("train");
        assertThat(ImportOptions.defaultPrefix(Path.of("t10k-images-idx3-ubyte")))
                .isEqualTo("t10k");
        assertThat(ImportOptions.defaultPrefix(Path.of("emnist-letters-test-images-idx3-ubyte.gz")))
                .isEqualTo("emnist-letters-test");
        assertThat(ImportOptions.defaultPrefix(Path.of("train-images.idx3-ubyte")))
                .isEqualTo("train");
        assertThat(ImportOptions.defaultPrefix(Path.of("_my data.bin"))).isEqualTo("my-data-bin");
        assertThat(ImportOptions.defaultPrefix(Path.of("..."))).isEqualTo("samples");
    }

    @Test
    void classNamesFromPresetOrList() {
        assertThat(ClassNames.parse("fashion-mnist")).hasSize(10).startsWith("T-shirt/top", "Trouser");
        assertThat(ClassNames.parse("mnist")).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        assertThat(ClassNames.parse(" cat, dog ")).containsExactly("cat", "dog");
        assertThatThrownBy(() -> ClassNames.parse("cifar")).hasMessageContaining("neither a preset");
        assertThatThrownBy(() -> ClassNames.parse("a,,b")).hasMessageContaining("empty name");
        assertThatThrownBy(() -> ClassNames.parse("a,b,a")).hasMessageContaining("names 'a' twice");
    }

    /** Delegates to a set, failing when image {@code failAt} is requested. */
    private record FailingSet(IdxDataset set, int failAt) implements LabelledImageSet {
        @Override
        public int size() {
            return set.size();
        }

        @Override
        public BufferedImage image(int index) {
            if (index == failAt) {
                throw new IllegalStateException("disk on fire at sample " + index);
            }
            return set.image(index);
        }

        @Override
        public int label(int index) {
            return set.label(index);
        }

        @Override
        public String labelSource() {
            return set.labelSource();
        }

        @Override
        public Map<String, Object> provenance() throws IOException {
            return set.provenance();
        }
    }
}
