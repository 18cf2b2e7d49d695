package io.distillery.cli;

import static io.distillery.cli.BadInputRun.runCapturingErr;
import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.importer.IdxImages;
import io.distillery.importer.IdxLabels;
import io.distillery.importer.IdxWriter;
import io.distillery.importer.ImportManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code distillery import-idx}: exit codes and one-line errors. */
class ImportIdxCommandTest {
    @TempDir
    Path dir;

    private Path images;
    private Path labels;

    @BeforeEach
    void writeInput() throws IOException {
        images = dir.resolve("train-images-idx3-ubyte.gz");
        labels = dir.resolve("train-labels-idx1-ubyte.gz");
        byte[] pixels = new byte[30 * 28 * 28];
        Arrays.fill(pixels, (byte) 200);
        byte[] classes = new byte[30];
        for (int i = 0; i < classes.length; i++) {
            classes[i] = (byte) (i % 10);
        }
        IdxWriter.writeImages(images, new IdxImages(images, 30, 28, 28, pixels));
        IdxWriter.writeLabels(labels, new IdxLabels(labels, classes));
    }

    private String[] importIdx(Path out, String... extra) {
        return Stream.concat(
                        Stream.of(
                                "import-idx",
                                "--images",
                                images.toString(),
                                "--labels",
                                labels.toString(),
                                "--out",
                                out.toString()),
                        Stream.of(extra))
                .toArray(String[]::new);
    }

    @Test
    void aFullDiskNamesTheFileBeingWritten() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(Path.of("/dev/full")), "needs /dev/full");
        Path out = Files.createDirectories(dir.resolve("full"));
        // the shard's temp file is a link to /dev/full: every write fails with ENOSPC, as on a full disk
        Path tmp = out.resolve(".train-000000.tar.tmp");
        Files.createSymbolicLink(tmp, Path.of("/dev/full"));
        assertThat(runCapturingErr(importIdx(out)))
                .startsWith("distillery import-idx: error: writing " + tmp + " failed: ")
                .containsIgnoringCase("no space left on device");
        assertThat(out.resolve("import.json")).doesNotExist();
    }

    @Test
    void importsWithDefaultsAndOptions() throws IOException {
        Path out = dir.resolve("out");
        assertThat(DistilleryCli.run(importIdx(out))).isZero();
        assertThat(out.resolve("train-000000.tar")).isRegularFile();
        assertThat(ImportManifest.read(out).get("samples").asInt()).isEqualTo(30);

        Path fm = dir.resolve("fm");
        assertThat(DistilleryCli.run(importIdx(
                        fm,
                        "--prefix",
                        "fashion-mnist-train",
                        "--shard-size",
                        "8",
                        "--limit",
                        "20",
                        "--classes",
                        "fashion-mnist")))
                .isZero();
        try (Stream<Path> files = Files.list(fm)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                    .containsExactly(
                            "fashion-mnist-train-000000.tar", "fashion-mnist-train-000001.tar",
                            "fashion-mnist-train-000002.tar", "import.json");
        }
        assertThat(ImportManifest.read(fm).get("samples").asInt()).isEqualTo(20);
        assertThat(ImportManifest.read(fm).at("/classes/8").asText()).isEqualTo("Bag");
    }

    @Test
    void malformedIdxGivesOneLineNamingTheFile() throws IOException {
        Path out = dir.resolve("out");
        Files.write(images, new byte[] {'G', 'I', 'F', '8', '9', 'a', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        assertThat(runCapturingErr(importIdx(out)))
                .isEqualTo("distillery import-idx: error: " + images
                        + ": not an IDX file: magic number 0x47494638, expected 0x00000803 for unsigned-byte images, "
                        + "3 dimensions");
        assertThat(out).doesNotExist();
    }

    @Test
    void truncatedLabelsGiveOneLineNamingTheFile() throws IOException {
        byte[] whole = Files.readAllBytes(labels);
        Files.write(labels, Arrays.copyOf(whole, whole.length - 12));
        assertThat(runCapturingErr(importIdx(dir.resolve("out"))))
                .startsWith("distillery import-idx: error: " + labels + ": truncated");
    }

    @Test
    void countMismatchGivesOneLineNamingBothFiles() throws IOException {
        IdxWriter.writeLabels(labels, new IdxLabels(labels, new byte[29]));
        assertThat(runCapturingErr(importIdx(dir.resolve("out"))))
                .isEqualTo("distillery import-idx: error: "
                        + "images file " + images + " holds 30 images but labels file " + labels
                        + " holds 29 labels; they must describe the same samples");
    }

    @Test
    void badOptionsGiveOneLine() {
        Path out = dir.resolve("out");
        assertThat(runCapturingErr(importIdx(out, "--prefix", "a.b"))).contains("--prefix 'a.b' must be");
        assertThat(runCapturingErr(importIdx(out, "--classes", "a,b")))
                .isEqualTo("distillery import-idx: error: " + "labels file " + labels
                        + ": sample 2 has label 2, but --classes names only 2 classes (0..1)");
        assertThat(runCapturingErr(importIdx(out, "--classes", "nope"))).contains("--classes 'nope' is neither");
        assertThat(runCapturingErr(importIdx(out, "--shard-size", "0"))).contains("--shard-size 0 must be");
        assertThat(out).doesNotExist();
        String[] missing = importIdx(out);
        missing[2] = dir.resolve("nope.gz").toString();
        assertThat(runCapturingErr(missing))
                .isEqualTo("distillery import-idx: error: images file " + dir.resolve("nope.gz") + " does not exist");
    }

    @Test
    void refusesToOverwriteACompleteImportUnlessAsked() {
        Path out = dir.resolve("out");
        assertThat(DistilleryCli.run(importIdx(out))).isZero();
        assertThat(runCapturingErr(importIdx(out)))
                .isEqualTo("distillery import-idx: error: output folder " + out
                        + " already holds a complete import (import.json); pass --overwrite to replace it");
        assertThat(DistilleryCli.run(importIdx(out, "--overwrite"))).isZero();
    }
}
