package io.distillery.shards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.shards.ShardTestData.Member;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebDatasetReaderTest {
    private static final InputOptions OPTIONS = InputOptions.of(ShardFormat.WEBDATASET, "/unused");

    @TempDir
    Path dir;

    @Test
    void groupsConsecutiveMembersByKey() throws IOException {
        byte[] jpg = ShardTestData.image(700, 1);
        byte[] png = ShardTestData.image(900, 2);
        byte[] webp = ShardTestData.image(300, 3);
        String longDir = "x".repeat(120);
        Path tar = ShardTestData.tar(
                dir.resolve("00017.tar"),
                Member.directory("./"),
                new Member("./000000.jpg", jpg),
                Member.text("./000000.cls", "3\n"),
                Member.text("./000000.txt", "a cat\n"),
                Member.text("./000000.json", "{\"caption\": \"ignored, .txt wins\"}"),
                Member.text("000001.json", "{\"caption\": \"from json\", \"width\": 5}"),
                new Member("000001.PNG", png),
                Member.text("000002.txt", "no image here"),
                Member.text("000002.cls", "not checked, the sample is skipped"),
                new Member("000003.webp", webp),
                new Member("000003.jpg", jpg),
                Member.text("000003.json", "{\"url\": \"http://x\"}"),
                Member.bytes("000003.seg.png", 10, 9),
                Member.text("README", "no extension: ignored"),
                Member.directory("sub/"),
                new Member("sub/000004.jpeg", jpg),
                new Member(longDir + "/000005.jpg", png));

        List<RawSample> samples;
        long withoutImage;
        try (ShardReader reader = ShardReader.open(shard(tar), OPTIONS, List.of(), new Configuration())) {
            samples = new ArrayList<>();
            reader.forEachRemaining(samples::add);
            withoutImage = reader.withoutImage();
        }

        assertThat(samples)
                .extracting(RawSample::key)
                .containsExactly("000000", "000001", "000002", "000003", "sub/000004", longDir + "/000005");
        assertThat(samples.get(2)).satisfies(s -> {
            assertThat(s.image()).isNull();
            assertThat(s.problem()).isEqualTo(SampleProblem.NO_IMAGE);
            assertThat(s.imageName()).isEqualTo("00017.tar/000002.txt");
            assertThat(s.problemMessage())
                    .isEqualTo("sample '000002' has no image member (.jpg/.jpeg/.png/.webp), " + "only .txt, .cls");
        });
        samples.remove(2);
        assertThat(samples.get(0)).satisfies(s -> {
            assertThat(s.image()).isEqualTo(jpg);
            assertThat(s.imageName()).isEqualTo("00017.tar/./000000.jpg");
            assertThat(s.label()).isEqualTo(3);
            assertThat(s.caption()).isEqualTo("a cat");
        });
        assertThat(samples.get(1)).satisfies(s -> {
            assertThat(s.image()).isEqualTo(png);
            assertThat(s.label()).isNull();
            assertThat(s.caption()).isEqualTo("from json");
        });
        assertThat(samples.get(2)).satisfies(s -> {
            assertThat(s.image()).as("first image member wins").isEqualTo(webp);
            assertThat(s.imageName()).isEqualTo("00017.tar/000003.webp");
            assertThat(s.caption()).as("json without caption").isNull();
        });
        assertThat(samples.get(3).imageName()).isEqualTo("00017.tar/sub/000004.jpeg");
        assertThat(withoutImage).isEqualTo(1);
    }

    @Test
    void readsBlockPaddedTarsToTheEnd() throws IOException {
        Path tar = ShardTestData.tar(dir.resolve("00000.tar"), 10240, ShardTestData.samples(0, 7, 1500));
        assertThat(Files.size(tar) % 10240).isZero();
        List<RawSample> samples = ShardTestData.readAll(shard(tar), OPTIONS, List.of());
        assertThat(samples)
                .extracting(RawSample::key)
                .containsExactly("000000", "000001", "000002", "000003", "000004", "000005", "000006");
        assertThat(samples).extracting(RawSample::label).containsExactly(0, 1, 2, 3, 4, 5, 6);
    }

    @Test
    void nonIntegerClsNamesShardAndKey() throws IOException {
        Path tar =
                ShardTestData.tar(dir.resolve("00003.tar"), Member.bytes("a.jpg", 10, 1), Member.text("a.cls", "cat"));
        assertThatThrownBy(() -> ShardTestData.readAll(shard(tar), OPTIONS, List.of()))
                .isInstanceOf(ShardCorruptException.class)
                .hasMessageContaining(tar.toString())
                .hasMessageContaining("'a'")
                .hasMessageContaining("'cat'");
    }

    @Test
    void malformedJsonNamesShardAndKey() throws IOException {
        Path tar = ShardTestData.tar(
                dir.resolve("00003.tar"), Member.bytes("a.jpg", 10, 1), Member.text("a.json", "{\"caption\": "));
        assertThatThrownBy(() -> ShardTestData.readAll(shard(tar), OPTIONS, List.of()))
                .isInstanceOf(ShardCorruptException.class)
                .hasMessageContaining(tar.toString())
                .hasMessageContaining("'a'")
                .hasMessageContaining(".json");
    }

    @Test
    void aRepeatedMemberStartsASecondCopyOfTheSampleNeverDroppedSilently() throws IOException {
        byte[] first = ShardTestData.image(200, 1);
        byte[] second = ShardTestData.image(200, 2);
        Path tar = ShardTestData.tar(
                dir.resolve("00004.tar"),
                new Member("a.png", first),
                Member.text("a.cls", "1"),
                new Member("a.png", second),
                Member.text("a.cls", "2"),
                Member.text("b.txt", "only a caption"),
                new Member("c.jpg", first));
        List<RawSample> samples = ShardTestData.readAll(shard(tar), OPTIONS, List.of());
        assertThat(samples).extracting(RawSample::key).containsExactly("a", "a", "b", "c");
        assertThat(samples.get(0).image()).isEqualTo(first);
        assertThat(samples.get(0).label()).isEqualTo(1);
        assertThat(samples.get(1).image()).isEqualTo(second);
        assertThat(samples.get(1).label()).isEqualTo(2);
        assertThat(samples.get(2).problem()).isEqualTo(SampleProblem.NO_IMAGE);
        assertThat(samples.get(3).problem()).isNull();
    }

    @Test
    void memberNamesClimbingOutOfTheArchiveAreNeverKeys() throws IOException {
        byte[] png = ShardTestData.image(200, 1);
        Path tar = ShardTestData.tar(
                dir.resolve("00005.tar"),
                new Member("../up.png", png),
                new Member("a/../../b.png", png),
                new Member("ok/c.png", png));
        List<RawSample> samples = ShardTestData.readAll(shard(tar), OPTIONS, List.of());
        assertThat(samples)
                .extracting(RawSample::problem)
                .containsExactly(SampleProblem.BAD_KEY, SampleProblem.BAD_KEY, null);
        assertThat(samples.get(0).problemMessage())
                .isEqualTo("member name '../up.png' is absolute or climbs with " + "'..'; not used as a key");
        assertThat(samples.get(0).image()).isNull();
    }

    @Test
    void scatteredMembersOfOneSampleAreAnError() throws IOException {
        Path tar = ShardTestData.tar(
                dir.resolve("00003.tar"),
                Member.bytes("a.jpg", 10, 1),
                Member.bytes("b.jpg", 10, 2),
                Member.text("a.cls", "1"));
        assertThatThrownBy(() -> ShardTestData.readAll(shard(tar), OPTIONS, List.of()))
                .isInstanceOf(ShardCorruptException.class)
                .hasMessageContaining("a.cls")
                .hasMessageContaining("consecutive");
    }

    @Test
    void tarCutInsideImageDataIsCorrupt() throws IOException {
        Path tar = ShardTestData.tar(dir.resolve("00005.tar"), ShardTestData.samples(0, 5, 2000));
        int thirdImage = ShardTestData.offsetOf(tar, ShardTestData.image(2000, 2));
        ShardTestData.cut(tar, thirdImage + 1000);

        assertCorrupt(tar, "Truncated");
    }

    @Test
    void tarCutInsideAnIgnoredMemberIsCorrupt() throws IOException {
        byte[] video = ShardTestData.image(5000, 42);
        Path tar = ShardTestData.tar(
                dir.resolve("00006.tar"),
                Member.bytes("a.jpg", 100, 1),
                new Member("a.mp4", video),
                Member.bytes("b.jpg", 100, 2));
        ShardTestData.cut(tar, ShardTestData.offsetOf(tar, video) + 2500);

        assertCorrupt(tar, "Truncated");
    }

    @Test
    void tarCutAtAMemberBoundaryIsCorrupt() throws IOException {
        Path tar = ShardTestData.tar(dir.resolve("00007.tar"), ShardTestData.samples(0, 4, 1024));
        // Right after the third image's data: a clean cut, only the end-of-archive marker tells it apart.
        ShardTestData.cut(tar, ShardTestData.offsetOf(tar, ShardTestData.image(1024, 2)) + 1024);

        assertCorrupt(tar, "end-of-archive");
    }

    @Test
    void tarCutInsideAHeaderIsCorrupt() throws IOException {
        Path tar = ShardTestData.tar(dir.resolve("00008.tar"), ShardTestData.samples(0, 4, 1024));
        ShardTestData.cut(tar, ShardTestData.offsetOf(tar, "000003.jpg".getBytes(StandardCharsets.US_ASCII)) + 200);

        assertCorrupt(tar, "end-of-archive");
    }

    @Test
    void headerWithBadChecksumIsCorrupt() throws IOException {
        Path tar = ShardTestData.tar(dir.resolve("00009.tar"), ShardTestData.samples(0, 4, 1024));
        byte[] bytes = Files.readAllBytes(tar);
        bytes[ShardTestData.offsetOf(tar, "000002.jpg".getBytes(StandardCharsets.US_ASCII))] = 'X';
        Files.write(tar, bytes);

        assertCorrupt(tar, "checksum");
    }

    @Test
    void aFileThatIsNotATarIsNamed() throws IOException {
        byte[] notTar = new byte[4096];
        java.util.Arrays.fill(notTar, (byte) 16);
        Path tar = Files.write(dir.resolve("00011.tar"), notTar);
        assertCorrupt(tar, "no tar header at byte 0 (not a tar file?)");
        Path png = Files.write(dir.resolve("00012.tar"), ShardTestData.image(3000, 4));
        assertCorrupt(png, tar.getFileSystem() == null ? "" : "00012.tar");
        // the driver's sample-size estimate reads the same headers: it must not fail either
        org.apache.hadoop.fs.FileSystem fs = org.apache.hadoop.fs.FileSystem.getLocal(new Configuration());
        assertThat(TarSampleSize.bytesPerSample(fs, new org.apache.hadoop.fs.Path(tar.toUri())))
                .isEqualTo(TarSampleSize.TYPICAL_SAMPLE_BYTES);
    }

    @Test
    void emptyFileIsCorrupt() throws IOException {
        Path tar = Files.createFile(dir.resolve("00010.tar"));
        assertCorrupt(tar, "end-of-archive");
    }

    /** Reading all of {@code tar} fails, naming the file and the problem, after returning only whole samples. */
    private void assertCorrupt(Path tar, String problem) throws IOException {
        List<RawSample> before = new ArrayList<>();
        try (ShardReader reader = ShardReader.open(shard(tar), OPTIONS, List.of(), new Configuration())) {
            assertThatThrownBy(() -> reader.forEachRemaining(before::add))
                    .isInstanceOf(ShardCorruptException.class)
                    .hasMessageContaining(tar.toString())
                    .hasMessageContaining(problem);
        }
        assertThat(before).allSatisfy(s -> assertThat(s.label()).isNotNull());
    }

    private Shard shard(Path tar) throws IOException {
        return ShardLister.list(InputOptions.of(ShardFormat.WEBDATASET, tar.toString()), new Configuration())
                .shards()
                .get(0);
    }
}
