package io.distillery.extract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.config.JobConfigLoader;
import io.distillery.dataset.FeatureDataset;
import io.distillery.features.FeatureFormatException;
import io.distillery.features.TensorDType;
import io.distillery.features.TensorPacking;
import io.distillery.npy.ParityFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The extract job end to end on Spark local mode with the parity teacher. */
class ExtractJobTest {
    private static final SparkSession SPARK = SparkTestSession.get();

    private static ExtractSummary extract(List<String> overrides) throws Exception {
        return ExtractJob.run(SPARK, ExtractSettings.from(JobConfigLoader.load(null, overrides, "distillery.extract")));
    }

    private static List<Row> rows(Path output) throws Exception {
        return FeatureDataset.open(SPARK, output.toString(), false)
                .rows()
                .orderBy("key", "view")
                .collectAsList();
    }

    @Test
    void evalViewTargetsAndExtrasEqualTheTeacherReference(@TempDir Path dir) throws Exception {
        Path input = TestInputs.parityImageFolder(dir.resolve("in"));
        Path out = dir.resolve("features");
        ExtractSummary summary = extract(TestInputs.overrides(
                input,
                "image-folder",
                out,
                "target.dtype=fp32",
                "views.eval-crop-pct=1.0",
                "views.random=1",
                "store.layers=[4]",
                "store.pooled=true",
                "store.cls=true",
                "input.files-per-shard=4"));
        assertThat(summary.ok()).as(summary.toString()).isTrue();
        assertThat(summary.shards()).isEqualTo(2);
        assertThat(summary.rows()).isEqualTo(12);

        INDArray expectedTargets = ParityFiles.array("teacher_beitv2/target_d2v_ffn_topall");
        INDArray expectedLast = ParityFiles.array("teacher_beitv2/block_out_04");
        INDArray expectedPooled = ParityFiles.array("teacher_beitv2/pooled");
        List<Row> rows = rows(out);
        assertThat(rows).hasSize(12);
        for (Row row : rows) {
            String key = row.getAs("key");
            int image = Integer.parseInt(key.substring(key.length() - 1));
            assertThat((Integer) row.getAs("label")).isEqualTo(image < 3 ? 0 : 1);
            if ((Integer) row.getAs("view") != 0) {
                continue;
            }
            // the eval view of a 32x32 image with crop 1.0 is the image itself: the fixture's own input
            assertThat((double) row.getAs("crop_w")).isEqualTo(32.0);
            assertThat(maxDiff(row.getAs("target"), expectedTargets.slice(image)))
                    .as(key)
                    .isLessThan(2e-4);
            assertThat(maxDiff(row.getAs("layer_04"), expectedLast.slice(image)))
                    .as(key)
                    .isLessThan(5e-5);
            assertThat(maxDiff(row.getAs("pooled"), expectedPooled.slice(image)))
                    .as(key)
                    .isLessThan(5e-5);
            assertThat(maxDiff(
                            row.getAs("cls"),
                            expectedLast.get(NDArrayIndex.point(image), NDArrayIndex.point(0), NDArrayIndex.all())))
                    .isLessThan(5e-5);
            byte[] png = Files.readAllBytes(ParityFiles.file("images/img_" + image + ".png"));
            assertThat((byte[]) row.getAs("pixels"))
                    .isEqualTo(io.distillery.image.ImageDecoder.decode(png, key).toRgbBytes());
        }
        FeatureDataset dataset = FeatureDataset.open(SPARK, out.toString(), false);
        assertThat(dataset.status().complete()).isTrue();
        assertThat(dataset.metadata().input().classNames()).containsExactly("a", "b");
        assertThat(dataset.metadata().teacher().checkpointSha256()).hasSize(64);
        assertThat(Files.exists(out.resolve("_tmp"))).isFalse();
    }

    private static double maxDiff(byte[] cell, INDArray expected) {
        float[] actual = TensorPacking.unpack(cell, TensorDType.FP32);
        float[] want = expected.dup('c').data().asFloat();
        assertThat(actual).hasSize(want.length);
        double max = 0;
        for (int i = 0; i < want.length; i++) {
            max = Math.max(max, Math.abs(actual[i] - want[i]));
        }
        return max;
    }

    @Test
    void rerunIsIdenticalSkipsCommittedShardsAndRedoesUncommittedOnes(@TempDir Path dir) throws Exception {
        Path input = TestInputs.parityImageFolder(dir.resolve("in"));
        Path out = dir.resolve("features");
        List<String> args =
                TestInputs.overrides(input, "image-folder", out, "input.files-per-shard=2", "views.random=2");
        assertThat(extract(args).rows()).isEqualTo(18);
        List<Row> first = rows(out);

        Path datasetJson = out.resolve("_distillery/dataset.json");
        String statusBefore = Files.readString(datasetJson);
        var modifiedBefore = Files.getLastModifiedTime(datasetJson);
        var folderBefore = Files.getLastModifiedTime(out.resolve("_distillery"));
        ExtractSummary again = extract(args);
        assertThat(again.skipped()).isEqualTo(3);
        assertThat(again.rows()).isEqualTo(18);
        // a rerun of a complete dataset writes nothing, not even the status file
        assertThat(Files.readString(datasetJson)).isEqualTo(statusBefore);
        assertThat(Files.getLastModifiedTime(datasetJson)).isEqualTo(modifiedBefore);
        assertThat(Files.getLastModifiedTime(out.resolve("_distillery")))
                .as("not even a lock file came and went")
                .isEqualTo(folderBefore);

        // a crash after moving the data file but before the commit record: the shard is redone, not duplicated
        Path record = out.resolve("_distillery/commits/folder-0001.json");
        if (!Files.exists(record)) {
            try (Stream<Path> records = Files.list(out.resolve("_distillery/commits"))) {
                record = records.sorted().toList().get(1);
            }
        }
        Files.delete(record);
        ExtractSummary redo = extract(args);
        assertThat(redo.skipped()).isEqualTo(2);
        List<Row> after = rows(out);
        assertThat(after).hasSize(18);
        assertThat(signature(after)).isEqualTo(signature(first));

        // same job into a new folder, with one teacher copy instead of one per running task: byte-identical rows
        Path other = dir.resolve("features2");
        extract(TestInputs.overrides(
                input, "image-folder", other, "input.files-per-shard=2", "views.random=2", "teacher.copies=1"));
        assertThat(signature(rows(other))).isEqualTo(signature(first));
        // cut into other shards, the views (crop, flip, pixels) are still the same; only the teacher's float
        // rounding may differ with the batch composition
        Path resharded = dir.resolve("features3");
        extract(TestInputs.overrides(input, "image-folder", resharded, "input.files-per-shard=3", "views.random=2"));
        assertThat(views(rows(resharded))).isEqualTo(views(first));
    }

    private static List<String> views(List<Row> rows) {
        return rows.stream()
                .map(r -> r.getAs("key") + "/" + r.getAs("view") + "/" + r.getAs("crop_x") + "/"
                        + r.getAs("crop_w") + "/" + r.getAs("flip") + "/"
                        + java.util.Arrays.hashCode((byte[]) r.getAs("pixels")))
                .toList();
    }

    private static List<String> signature(List<Row> rows) {
        return rows.stream()
                .map(r -> r.getAs("key") + "/" + r.getAs("view") + "/" + r.getAs("crop_x") + "/"
                        + r.getAs("flip") + "/" + java.util.Arrays.hashCode((byte[]) r.getAs("target")) + "/"
                        + java.util.Arrays.hashCode((byte[]) r.getAs("pixels")))
                .toList();
    }

    @Test
    void retriedTasksAfterACrashLeaveNoDuplicatesOrPartialFiles(@TempDir Path dir) throws Exception {
        Path input = TestInputs.parityImageFolder(dir.resolve("in"));
        Path out = dir.resolve("features");
        SPARK.sparkContext().setLocalProperty(ExtractJob.CRASH_AFTER_ROWS, "4");
        try {
            ExtractSummary summary = extract(
                    TestInputs.overrides(input, "image-folder", out, "input.files-per-shard=3", "views.random=2"));
            assertThat(summary.ok()).isTrue();
        } finally {
            SPARK.sparkContext().setLocalProperty(ExtractJob.CRASH_AFTER_ROWS, null);
        }
        List<Row> rows = rows(out);
        assertThat(rows).hasSize(18);
        Set<String> keys = new HashSet<>();
        rows.forEach(r ->
                assertThat(keys.add(r.getAs("key") + "/" + r.getAs("view"))).isTrue());
        try (Stream<Path> files = Files.list(out.resolve("data"))) {
            // (.crc files are the local filesystem's checksums, not data)
            assertThat(files.map(p -> p.getFileName().toString())
                            .filter(n -> !n.endsWith(".crc"))
                            .sorted()
                            .toList())
                    .containsExactly("folder-0000.parquet", "folder-0001.parquet");
        }
        assertThat(Files.exists(out.resolve("_tmp"))).isFalse();
    }

    @Test
    void undecodableImagesAreRejectedAndTooManyKeepTheDatasetIncomplete(@TempDir Path dir) throws Exception {
        Path input = TestInputs.parityImageFolder(dir.resolve("in"));
        Files.write(input.resolve("a/broken.png"), new byte[] {1, 2, 3, 4, 5});
        Files.write(input.resolve("b/empty.jpg"), new byte[0]);
        Path out = dir.resolve("features");
        ExtractSummary summary =
                extract(TestInputs.overrides(input, "image-folder", out, "views.random=0", "max-reject-fraction=0.1"));
        assertThat(summary.rejects()).isEqualTo(2);
        assertThat(summary.images()).isEqualTo(8);
        assertThat(summary.rejectLimitExceeded()).isTrue();
        assertThatThrownBy(() -> FeatureDataset.open(SPARK, out.toString(), false))
                .isInstanceOf(FeatureFormatException.class)
                .hasMessageContaining("in_progress");
        List<Row> rejects = SPARK.read()
                .parquet(out.resolve("rejects").toString())
                .orderBy("key")
                .collectAsList();
        assertThat(rejects).hasSize(2);
        assertThat(rejects.get(0).<String>getAs("reason")).isEqualTo("undecodable");
        assertThat(rejects.get(1).<String>getAs("reason")).isEqualTo("empty");

        ExtractSummary tolerant =
                extract(TestInputs.overrides(input, "image-folder", out, "views.random=0", "max-reject-fraction=0.5"));
        assertThat(tolerant.ok()).isTrue();
        assertThat(FeatureDataset.open(SPARK, out.toString(), false).rows().count())
                .isEqualTo(6);
    }

    @Test
    void truncatedTarFailsOnlyThatShardAndNamesIt(@TempDir Path dir) throws Exception {
        Path input = Files.createDirectories(dir.resolve("tars"));
        Files.write(input.resolve("00000.tar"), TestInputs.webDatasetTar("a", 3, 1));
        byte[] whole = TestInputs.webDatasetTar("b", 3, 2);
        Files.write(input.resolve("00001.tar"), java.util.Arrays.copyOf(whole, whole.length / 2 + 100));
        Path out = dir.resolve("features");
        ExtractSummary summary = extract(TestInputs.overrides(input, "webdataset", out, "views.random=0"));
        assertThat(summary.failures()).hasSize(1);
        assertThat(summary.failures().get(0)).contains("00001.tar");
        assertThat(Files.exists(out.resolve("data/00000.parquet"))).isTrue();
        assertThat(Files.exists(out.resolve("data/00001.parquet"))).isFalse();
        List<Row> rows = FeatureDataset.open(SPARK, out.toString(), true).rows().collectAsList();
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0).<String>getAs("caption")).startsWith("caption a");
    }

    @Test
    void nonFiniteTeacherOutputFailsItsShardNamingShardKeyAndColumn(@TempDir Path dir) throws Exception {
        Path input = TestInputs.parityImageFolder(dir.resolve("in"));
        Path inf = TestInputs.scaledTeacher(dir.resolve("overflowing.safetensors"), 3e38f);
        Path out = dir.resolve("features");
        ExtractSummary summary = extract(TestInputs.overrides(
                input,
                "image-folder",
                out,
                "views.random=0",
                "input.files-per-shard=3",
                "target.dtype=fp32",
                "teacher.checkpoint=\"" + inf + "\""));
        assertThat(summary.ok()).isFalse();
        assertThat(summary.failures()).hasSize(2);
        assertThat(summary.failures())
                .allSatisfy(
                        f -> assertThat(f)
                                .matches(
                                        "shard folder-000[01]: key '[ab]/img_[0-5]' view 0: column 'target' holds (NaN|-?Inf) at "
                                                + "element \\d+ \\(the teacher's output is not finite\\); the shard was not committed"));
        assertThat(out.resolve("data")).doesNotExist();
        assertThat(out.resolve("_distillery/commits")).doesNotExist();
        assertThatThrownBy(() -> FeatureDataset.open(SPARK, out.toString(), false))
                .hasMessageContaining("in_progress");

        // finite in float32 but beyond fp16: packing would store Inf
        Path big = TestInputs.scaledTeacher(dir.resolve("big.safetensors"), 1e6f);
        Path out16 = dir.resolve("features16");
        ExtractSummary fp16 = extract(TestInputs.overrides(
                input,
                "image-folder",
                out16,
                "views.random=0",
                "target.dtype=fp16",
                "store.layers=[4]",
                "teacher.checkpoint=\"" + big + "\""));
        assertThat(fp16.failures())
                .singleElement()
                .asString()
                .contains("column 'layer_04' holds value")
                .contains("beyond the range of fp16 (store it as fp32)");
        assertThat(out16.resolve("data")).doesNotExist();
    }

    @Test
    void aKeyInTwoShardsKeepsTheDatasetIncompleteUntilTheInputIsFixed(@TempDir Path dir) throws Exception {
        Path input = Files.createDirectories(dir.resolve("tars"));
        Files.write(input.resolve("00000.tar"), TestInputs.webDatasetTar("a", 3, 1));
        Files.write(input.resolve("00001.tar"), TestInputs.webDatasetTar("a", 3, 2)); // same keys a000..a002
        Path out = dir.resolve("features");
        List<String> args = TestInputs.overrides(input, "webdataset", out, "views.random=1");
        ExtractSummary summary = extract(args);
        assertThat(summary.failures())
                .containsExactly("key 'a000' is in shard 00000 and shard 00001 (3 keys shared "
                        + "by the two); keys must be unique within a dataset: shard 00001 was withdrawn, remove the repeated "
                        + "samples from its input and rerun");
        assertThatThrownBy(() -> FeatureDataset.open(SPARK, out.toString(), false))
                .hasMessageContaining("in_progress");
        assertThat(out.resolve("data/00001.parquet")).doesNotExist();
        assertThat(out.resolve("_distillery/commits/00001.json")).doesNotExist();

        Files.write(input.resolve("00001.tar"), TestInputs.webDatasetTar("b", 3, 2));
        ExtractSummary fixed = extract(args);
        assertThat(fixed.ok()).as(fixed.toString()).isTrue();
        assertThat(fixed.skipped()).isEqualTo(1);
        List<Row> rows = rows(out);
        assertThat(rows).hasSize(12);
        assertThat(rows.stream()
                        .map(r -> r.getAs("key") + "/" + r.getAs("view"))
                        .distinct()
                        .count())
                .isEqualTo(12);
    }

    @Test
    void samplesWithoutImageRepeatedOrWithUnknownLabelsAreCountedRejects(@TempDir Path dir) throws Exception {
        java.util.Random random = new java.util.Random(3);
        byte[] png = TestInputs.randomPng(random, 40, 30);
        Path input = Files.createDirectories(dir.resolve("tars"));
        TestInputs.tar(
                input.resolve("00000.tar"),
                "k0.png",
                png,
                "k0.cls",
                "0",
                "k0.png",
                TestInputs.randomPng(random, 40, 30),
                "k0.cls",
                "1", // repeated: a second copy of k0
                "k1.txt",
                "a caption, no image",
                "k1.cls",
                "1",
                "k2.png",
                png,
                "k2.cls",
                "-7",
                "k3.unknown",
                "?",
                "k4.png",
                png,
                "k4.cls",
                "2");
        Path out = dir.resolve("features");
        ExtractSummary summary =
                extract(TestInputs.overrides(input, "webdataset", out, "views.random=0", "max-reject-fraction=0.9"));
        assertThat(summary.ok()).as(summary.toString()).isTrue();
        assertThat(summary.images()).isEqualTo(6);
        assertThat(summary.rejects()).isEqualTo(4);
        List<Row> rows = rows(out);
        assertThat(rows)
                .extracting(r -> r.<String>getAs("key") + "=" + r.getAs("label"))
                .containsExactly("k0=0", "k4=2");
        List<Row> rejects = SPARK.read()
                .parquet(out.resolve("rejects").toString())
                .orderBy("key")
                .collectAsList();
        assertThat(rejects)
                .extracting(r ->
                        r.<String>getAs("key") + " " + r.<String>getAs("reason") + ": " + r.<String>getAs("message"))
                .containsExactly(
                        "k0 duplicate: key 'k0' was already read in shard 00000; the first copy is kept",
                        "k1 no_image: sample 'k1' has no image member (.jpg/.jpeg/.png/.webp), only .txt, .cls",
                        "k2 bad_label: label -7 is outside the known classes (labels are class indices >= 0)",
                        "k3 no_image: sample 'k3' has no image member (.jpg/.jpeg/.png/.webp), only .unknown");
        assertThat(rejects.get(1).<String>getAs("image")).isEqualTo("00000.tar/k1.txt");
    }

    @Test
    void aSecondWriterOnTheSameOutputIsRefusedAtOnce(@TempDir Path dir) throws Exception {
        Path input = TestInputs.parityImageFolder(dir.resolve("in"));
        Path out = dir.resolve("features");
        List<String> args = TestInputs.overrides(input, "image-folder", out, "views.random=0");
        org.apache.hadoop.fs.Path lock = new org.apache.hadoop.fs.Path(
                out.resolve("_distillery/writer.lock").toUri());
        try (var held = io.distillery.locks.WriterLock.acquire(
                lock, out.toString(), "extract", SPARK.sparkContext().hadoopConfiguration())) {
            assertThatThrownBy(() -> extract(args))
                    .isInstanceOf(io.distillery.locks.OutputLockedException.class)
                    .hasMessageStartingWith(
                            out.toUri().toString().replaceAll("/$", "").replace("file:///", "file:/")
                                    + " is being written by another run: ")
                    .hasMessageContaining(" pid " + ProcessHandle.current().pid() + " (extract, started ");
        }
        assertThat(extract(args).ok()).isTrue();
        assertThat(out.resolve("_distillery/writer.lock"))
                .as("released at the end")
                .doesNotExist();
    }

    @Test
    void linksLeavingTheInputAreNotFollowedAndAnOutputInsideTheInputIsRefused(@TempDir Path dir) throws Exception {
        Path input = TestInputs.parityImageFolder(dir.resolve("in"));
        Path secret = Files.writeString(dir.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        Files.createSymbolicLink(input.resolve("a/leak.png"), secret);
        Path foreign = TestInputs.parityImageFolder(dir.resolve("elsewhere")).resolve("b");
        Files.createSymbolicLink(input.resolve("c-linked"), foreign);
        Files.createSymbolicLink(input.resolve("a/inside.png"), input.resolve("b/img_3.png")); // stays inside: fine
        Path out = dir.resolve("features");
        ExtractSummary summary =
                extract(TestInputs.overrides(input, "image-folder", out, "views.random=0", "max-reject-fraction=0.5"));
        assertThat(summary.ok()).as(summary.toString()).isTrue();
        assertThat(summary.images()).as("6 images + 2 links in class a").isEqualTo(8);
        FeatureDataset dataset = FeatureDataset.open(SPARK, out.toString(), false);
        assertThat(dataset.metadata().input().classNames()).containsExactly("a", "b");
        assertThat(rows(out))
                .extracting(r -> r.<String>getAs("key"))
                .contains("a/inside")
                .doesNotContain("a/leak");
        List<Row> rejects =
                SPARK.read().parquet(out.resolve("rejects").toString()).collectAsList();
        assertThat(rejects).singleElement().satisfies(r -> {
            assertThat(r.<String>getAs("key")).isEqualTo("a/leak");
            assertThat(r.<String>getAs("reason")).isEqualTo("outside_input");
            assertThat(r.<String>getAs("message")).doesNotContain("root:");
        });

        assertThatThrownBy(() -> extract(
                        TestInputs.overrides(input, "image-folder", input.resolve("features"), "views.random=0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is inside input.path")
                .hasMessageContaining("choose an output elsewhere");
        assertThat(input.resolve("features")).doesNotExist();
    }

    @Test
    void aDifferentRecipeIsNotMixedIntoAnExistingDataset(@TempDir Path dir) throws Exception {
        Path input = TestInputs.parityImageFolder(dir.resolve("in"));
        Path out = dir.resolve("features");
        extract(TestInputs.overrides(input, "image-folder", out, "views.random=0"));
        assertThatThrownBy(() ->
                        extract(TestInputs.overrides(input, "image-folder", out, "views.random=0", "target.top-k=2")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already holds a feature dataset made differently (target");
        Path notOurs = Files.createDirectories(dir.resolve("other"));
        Files.writeString(notOurs.resolve("precious.txt"), "keep me");
        assertThatThrownBy(() -> extract(TestInputs.overrides(input, "image-folder", notOurs, "views.random=0")))
                .hasMessageContaining("is not a Distillery feature dataset; refusing to write into it");
        assertThat(Files.readString(notOurs.resolve("precious.txt"))).isEqualTo("keep me");
    }

    @Test
    void largerImagesFromWebDatasetAreCroppedToTheTeacherSize(@TempDir Path dir) throws Exception {
        Path input = Files.createDirectories(dir.resolve("tars"));
        Files.write(input.resolve("00000.tar"), TestInputs.webDatasetTar("k", 4, 3));
        Path out = dir.resolve("features");
        ExtractSummary summary =
                extract(TestInputs.overrides(input, "webdataset", out, "views.random=1", "target.dtype=bf16"));
        assertThat(summary.ok()).as(summary.toString()).isTrue();
        List<Row> rows = rows(out);
        assertThat(rows).hasSize(8);
        for (Row r : rows) {
            assertThat((byte[]) r.getAs("pixels")).hasSize(32 * 32 * 3);
            assertThat((byte[]) r.getAs("target")).hasSize(16 * 64 * 2);
            assertThat((Integer) r.getAs("src_width")).isEqualTo(40);
        }
    }

    @Test
    void img2datasetParquetIsSplitByRowGroupsAndReadOnce(@TempDir Path dir) throws Exception {
        Path input = Files.createDirectories(dir.resolve("parquet"));
        org.apache.parquet.schema.MessageType schema = org.apache.parquet.schema.MessageTypeParser.parseMessageType(
                "message img2dataset { required binary key (UTF8); optional binary jpg; optional binary caption (UTF8); }");
        java.util.Random random = new java.util.Random(5);
        try (var writer = org.apache.parquet.hadoop.example.ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(
                        input.resolve("part-00000.parquet").toUri()))
                .withType(schema)
                .withRowGroupSize(1024)
                .withPageSize(512)
                .withMinRowCountForPageSizeCheck(1)
                .withMaxRowCountForPageSizeCheck(1)
                .build()) {
            var groups = new org.apache.parquet.example.data.simple.SimpleGroupFactory(schema);
            for (int i = 0; i < 10; i++) {
                var g = groups.newGroup().append("key", String.format("p%03d", i));
                if (i != 7) { // a row without image bytes is a reject (no_image)
                    g.append(
                            "jpg",
                            org.apache.parquet.io.api.Binary.fromConstantByteArray(
                                    TestInputs.randomPng(random, 36, 36)));
                }
                writer.write(g.append("caption", "row " + i));
            }
        }
        var plan = io.distillery.shards.ShardLister.list(
                new io.distillery.shards.InputOptions(
                        io.distillery.shards.ShardFormat.PARQUET,
                        input.toString(),
                        1000,
                        2,
                        "jpg",
                        "key",
                        "caption",
                        null),
                new org.apache.hadoop.conf.Configuration());
        assertThat(plan.shards().size()).isGreaterThan(1);
        assertThat(plan.estimatedSamples()).isEqualTo(10);

        Path out = dir.resolve("features");
        ExtractSummary summary = extract(TestInputs.overrides(
                input, "parquet", out, "views.random=0", "input.row-groups-per-split=2", "max-reject-fraction=0.2"));
        assertThat(summary.ok()).as(summary.toString()).isTrue();
        assertThat(summary.rejects()).isEqualTo(1);
        assertThat(SPARK.read()
                        .parquet(out.resolve("rejects").toString())
                        .where("reason = 'no_image'")
                        .select("key")
                        .as(org.apache.spark.sql.Encoders.STRING())
                        .collectAsList())
                .containsExactly("p007");
        List<Row> rows = rows(out);
        assertThat(rows.stream().map(r -> r.<String>getAs("key")).toList())
                .containsExactly("p000", "p001", "p002", "p003", "p004", "p005", "p006", "p008", "p009");
        assertThat(rows.get(3).<String>getAs("caption")).isEqualTo("row 3");
    }
}
