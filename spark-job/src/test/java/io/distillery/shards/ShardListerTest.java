package io.distillery.shards;

import static io.distillery.shards.ShardTestData.IMG2DATASET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.io.api.Binary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardListerTest {
    @TempDir
    Path dir;

    @Test
    void webDatasetIsOneShardPerTar() throws IOException {
        ShardTestData.tar(dir.resolve("00001.tar"), ShardTestData.samples(10, 10, 2000));
        ShardTestData.tar(dir.resolve("00000.tar"), ShardTestData.samples(0, 10, 2000));
        ShardTestData.tar(dir.resolve("val/00000.tar"), ShardTestData.samples(20, 5, 2000));
        ShardTestData.tar(dir.resolve("_tmp/00009.tar"), ShardTestData.samples(0, 1, 10));
        Files.writeString(dir.resolve("00000_stats.json"), "{}");

        ShardPlan plan = list(ShardFormat.WEBDATASET, dir.toUri().toString());

        assertThat(plan.shards()).extracting(Shard::id).containsExactly("00000", "00001", "val_00000");
        Shard first = plan.shards().get(0);
        assertThat(first.uri()).endsWith("/00000.tar");
        assertThat(first.bytes()).isEqualTo(Files.size(dir.resolve("00000.tar")));
        assertThat(first.format()).isEqualTo(ShardFormat.WEBDATASET);
        assertThat(first.members()).isEmpty();
        assertThat(first.splitCount()).isEqualTo(1);
        // Estimated from the first tar's bytes per sample: close to the 10 samples it holds.
        assertThat(first.estimatedSamples()).isBetween(9L, 11L);
        assertThat(plan.shards().get(2).estimatedSamples()).isBetween(4L, 6L);
        assertThat(plan.estimatedSamples())
                .isEqualTo(plan.shards().stream()
                        .mapToLong(Shard::estimatedSamples)
                        .sum());
        assertThat(plan.classNames()).isEmpty();
    }

    @Test
    void webDatasetPathMayBeOneTar() throws IOException {
        Path tar = ShardTestData.tar(dir.resolve("00017.tar"), ShardTestData.samples(0, 3, 100));
        ShardPlan plan = list(ShardFormat.WEBDATASET, tar.toString());
        assertThat(plan.shards()).singleElement().satisfies(s -> {
            assertThat(s.id()).isEqualTo("00017");
            assertThat(s.uri()).isEqualTo("file:" + tar);
        });
    }

    @Test
    void shardIdsMustNotCollide() throws IOException {
        ShardTestData.tar(dir.resolve("a b.tar"), ShardTestData.samples(0, 1, 10));
        ShardTestData.tar(dir.resolve("a_b.tar"), ShardTestData.samples(1, 1, 10));
        assertThatThrownBy(() -> list(ShardFormat.WEBDATASET, dir.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a b.tar")
                .hasMessageContaining("a_b.tar")
                .hasMessageContaining("'a_b'");
    }

    @Test
    void imageFolderIsChunkedWithSortedClassNames() throws IOException {
        ShardTestData.imageFile(dir, "dog/b.jpg", 10, 1);
        ShardTestData.imageFile(dir, "dog/a.JPEG", 20, 2);
        ShardTestData.imageFile(dir, "cat/x.png", 30, 3);
        ShardTestData.imageFile(dir, "cat/deeper/y.webp", 40, 4);
        ShardTestData.imageFile(dir, "cat/notes.txt", 50, 5);
        ShardTestData.imageFile(dir, "cat/.hidden.jpg", 60, 6);
        ShardTestData.imageFile(dir, "top-level.jpg", 70, 7);
        Files.createDirectories(dir.resolve("emu"));

        ShardPlan plan = ShardLister.list(
                new InputOptions(ShardFormat.IMAGE_FOLDER, dir.toString(), 3, 4, "jpg", "key", "caption", null),
                new Configuration());

        assertThat(plan.classNames()).containsExactly("cat", "dog", "emu");
        assertThat(plan.shards()).extracting(Shard::id).containsExactly("folder-0000", "folder-0001");
        assertThat(plan.shards().get(0).members()).containsExactly("cat/deeper/y.webp", "cat/x.png", "dog/a.JPEG");
        assertThat(plan.shards().get(1).members()).containsExactly("dog/b.jpg");
        assertThat(plan.shards().get(0).estimatedSamples()).isEqualTo(3);
        assertThat(plan.shards().get(0).bytes()).isEqualTo(40 + 30 + 20);
        assertThat(plan.shards()).allSatisfy(s -> assertThat(s.uri()).isEqualTo("file:" + dir));
        assertThat(plan.estimatedSamples()).isEqualTo(4);
    }

    @Test
    void imageFolderChunkIdsWidenToSort() throws IOException {
        for (int i = 0; i < 12; i++) {
            ShardTestData.imageFile(dir, String.format("c/%02d.jpg", i), 1, i);
        }
        ShardPlan plan = ShardLister.list(
                new InputOptions(ShardFormat.IMAGE_FOLDER, dir.toString(), 1, 4, "jpg", "key", null, null),
                new Configuration());
        assertThat(plan.shards()).hasSize(12);
        assertThat(plan.shards().get(11).id()).isEqualTo("folder-0011");
        assertThat(plan.shards().get(11).members()).containsExactly("c/11.jpg");
    }

    @Test
    void imageFolderRejectsTwoImagesWithOneKey() throws IOException {
        ShardTestData.imageFile(dir, "c/x.jpg", 1, 1);
        ShardTestData.imageFile(dir, "c/x.png", 1, 2);
        assertThatThrownBy(() -> list(ShardFormat.IMAGE_FOLDER, dir.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("c/x.png");
    }

    @Test
    void imageFolderPathMustBeAFolder() throws IOException {
        Path file = ShardTestData.imageFile(dir, "c/x.jpg", 1, 1);
        assertThatThrownBy(() -> list(ShardFormat.IMAGE_FOLDER, file.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void parquetIsSplitIntoRunsOfRowGroups() throws IOException {
        SimpleGroupFactory rows = new SimpleGroupFactory(IMG2DATASET);
        ShardTestData.parquet(
                dir.resolve("train-00001.parquet"),
                IMG2DATASET,
                1024,
                30,
                i -> rows.newGroup()
                        .append("key", "k" + i)
                        .append("jpg", Binary.fromConstantByteArray(ShardTestData.image(300, i))));
        ShardTestData.parquet(
                dir.resolve("train-00000.parquet"),
                IMG2DATASET,
                1 << 20,
                7,
                i -> rows.newGroup().append("key", "s" + i));
        ShardTestData.parquet(dir.resolve("empty.parquet"), IMG2DATASET, 1 << 20, 0, i -> rows.newGroup());
        int rowGroups = rowGroups(dir.resolve("train-00001.parquet"));
        assertThat(rowGroups).as("row groups of the large file").isGreaterThan(4);

        ShardPlan plan = ShardLister.list(
                new InputOptions(ShardFormat.PARQUET, dir.toString(), 1000, 2, "jpg", "key", "caption", "label"),
                new Configuration());

        List<Shard> splits = plan.shards().subList(1, plan.shards().size());
        assertThat(plan.shards().get(0).id()).isEqualTo("train-00000");
        assertThat(plan.shards().get(0).estimatedSamples()).isEqualTo(7);
        assertThat(splits).hasSize((rowGroups + 1) / 2);
        String width = rowGroups > 10 ? "%02d" : "%d";
        assertThat(splits.get(1).id())
                .isEqualTo("train-00001.r" + String.format(width, 2) + "-" + String.format(width, 3));
        for (int i = 0; i < splits.size(); i++) {
            Shard split = splits.get(i);
            assertThat(split.splitIndex()).isEqualTo(i);
            assertThat(split.splitCount()).isEqualTo(splits.size());
            assertThat(split.firstRowGroup()).isEqualTo(2 * i);
            assertThat(split.endRowGroup()).isEqualTo(Math.min(rowGroups, 2 * i + 2));
        }
        assertThat(splits).extracting(Shard::estimatedSamples).allMatch(n -> n > 0);
        assertThat(splits.stream().mapToLong(Shard::estimatedSamples).sum()).isEqualTo(30);
        assertThat(plan.estimatedSamples()).isEqualTo(37);
    }

    @Test
    void parquetColumnsAreCheckedOnTheDriver() throws IOException {
        SimpleGroupFactory rows = new SimpleGroupFactory(IMG2DATASET);
        ShardTestData.parquet(
                dir.resolve("a.parquet"),
                IMG2DATASET,
                1 << 20,
                1,
                i -> rows.newGroup().append("key", "a"));

        assertThatThrownBy(() -> ShardLister.list(
                        new InputOptions(ShardFormat.PARQUET, dir.toString(), 1, 1, "image", "key", null, null),
                        new Configuration()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("input.image-column 'image'")
                .hasMessageContaining("a.parquet");
        assertThatThrownBy(() -> ShardLister.list(
                        new InputOptions(ShardFormat.PARQUET, dir.toString(), 1, 1, "jpg", "key", null, "caption"),
                        new Configuration()))
                .hasMessageContaining("input.label-column 'caption'")
                .hasMessageContaining("INT32");
        assertThatThrownBy(() -> ShardLister.list(
                        new InputOptions(ShardFormat.PARQUET, dir.toString(), 1, 1, "jpg", "key", null, "class"),
                        new Configuration()))
                .hasMessageContaining("input.label-column 'class' is not a column");
    }

    @Test
    void emptyInputNamesPathAndFormat() throws IOException {
        Files.writeString(dir.resolve("readme.txt"), "nothing here");
        ShardTestData.tar(dir.resolve("_temporary/00000.tar"), ShardTestData.samples(0, 1, 10));
        for (ShardFormat format : ShardFormat.values()) {
            if (format == ShardFormat.TEXT_LINES) {
                continue; // readme.txt is text input; checked below on a folder without .txt files
            }
            assertThatThrownBy(() -> list(format, dir.toString()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(dir.toString())
                    .hasMessageContaining(format.id());
        }
        Path noText = Files.createDirectories(dir.resolve("_notext"));
        Files.writeString(noText.resolve("readme.md"), "no .txt here");
        assertThatThrownBy(() -> ShardLister.list(
                        InputOptions.text(ShardFormat.TEXT_LINES, noText.toString()), new Configuration()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(noText.toString())
                .hasMessageContaining("text-lines input (*.txt files)");
        assertThatThrownBy(
                        () -> list(ShardFormat.PARQUET, dir.resolve("missing").toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not exist");
    }

    private static ShardPlan list(ShardFormat format, String path) throws IOException {
        return ShardLister.list(InputOptions.of(format, path), new Configuration());
    }

    private static int rowGroups(Path file) throws IOException {
        try (var reader = org.apache.parquet.hadoop.ParquetFileReader.open(
                org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                        new org.apache.hadoop.fs.Path(file.toUri()), new Configuration()))) {
            return reader.getRowGroups().size();
        }
    }
}
