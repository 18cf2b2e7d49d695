package io.distillery.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxReaderTest {
    private static final int IMAGES = 0x00000803;
    private static final int LABELS = 0x00000801;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"train-images-idx3-ubyte", "train-images-idx3-ubyte.gz"})
    void readsWhatTheWriterWrote(String name) throws IOException {
        IdxImages images = IdxTestFiles.images(dir.resolve(name), 7, 5, 3, 1);
        IdxLabels labels = IdxTestFiles.labels(dir.resolve(name.replace("images-idx3", "labels-idx1")), 7, 10, 2);
        IdxWriter.writeImages(images.file(), images);
        IdxWriter.writeLabels(labels.file(), labels);

        IdxImages readImages = IdxReader.readImages(images.file());
        IdxLabels readLabels = IdxReader.readLabels(labels.file());

        assertThat(readImages.count()).isEqualTo(7);
        assertThat(readImages.rows()).isEqualTo(5);
        assertThat(readImages.cols()).isEqualTo(3);
        assertThat(readImages.pixels()).isEqualTo(images.pixels());
        assertThat(readLabels.labels()).isEqualTo(labels.labels());
        byte[] head = Arrays.copyOf(Files.readAllBytes(images.file()), 4);
        assertThat(head)
                .as("gzip only for .gz names")
                .isEqualTo(name.endsWith(".gz") ? new byte[] {0x1f, (byte) 0x8b, 8, 0} : new byte[] {0, 0, 8, 3});
    }

    @Test
    void gzipIsRecognisedByContentNotName() throws IOException {
        byte[] labels = {1, 2, 3, (byte) 255};
        Path plainNamedGz = IdxTestFiles.write(dir.resolve("a.gz"), IdxTestFiles.raw(LABELS, new int[] {4}, labels));
        Path gzNamedPlain = IdxTestFiles.write(
                dir.resolve("b"), IdxTestFiles.gzip(IdxTestFiles.raw(LABELS, new int[] {4}, labels)));
        assertThat(IdxReader.readLabels(plainNamedGz).labels()).isEqualTo(labels);
        assertThat(IdxReader.readLabels(gzNamedPlain).labels()).isEqualTo(labels);
        assertThat(IdxReader.readLabels(gzNamedPlain).label(3)).isEqualTo(255);
    }

    @Test
    void zeroImagesIsAValidFile() throws IOException {
        Path file = IdxTestFiles.write(
                dir.resolve("empty-images"), IdxTestFiles.raw(IMAGES, new int[] {0, 28, 28}, new byte[0]));
        assertThat(IdxReader.readImages(file).count()).isZero();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void wrongMagicIsNotAnIdxFile(boolean gz) throws IOException {
        Path file = file("photo.png", gz, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 0});
        assertIdxError(() -> IdxReader.readImages(file), file)
                .hasMessageContaining("not an IDX file: magic number 0x89504E47, expected 0x00000803");
    }

    @Test
    void otherElementTypesAreRefused() throws IOException {
        Path file = file("floats", false, IdxTestFiles.raw(0x00000D03, new int[] {1, 1, 1}, new byte[4]));
        assertIdxError(() -> IdxReader.readImages(file), file)
                .hasMessageContaining("element type 0x0D (float32)")
                .hasMessageContaining("only unsigned bytes");
    }

    @Test
    void labelFileGivenAsImagesAndViceVersa() throws IOException {
        Path labels = file("labels", false, IdxTestFiles.raw(LABELS, new int[] {2}, new byte[] {1, 2}));
        Path images = file("images", false, IdxTestFiles.raw(IMAGES, new int[] {1, 1, 2}, new byte[] {1, 2}));
        assertIdxError(() -> IdxReader.readImages(labels), labels)
                .hasMessageContaining("declares 1 dimension, images need 3")
                .hasMessageContaining("label file?");
        assertIdxError(() -> IdxReader.readLabels(images), images)
                .hasMessageContaining("declares 3 dimensions, labels need 1")
                .hasMessageContaining("image file?");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void emptyFileIsTruncated(boolean gz) throws IOException {
        Path file = file("empty", gz, new byte[0]);
        assertIdxError(() -> IdxReader.readLabels(file), file).hasMessageContaining("truncated: the file is empty");
    }

    @Test
    void fileEndingInsideTheHeaderIsTruncated() throws IOException {
        byte[] whole = IdxTestFiles.raw(IMAGES, new int[] {2, 28, 28}, new byte[2 * 784]);
        Path inMagic = file("in-magic", false, Arrays.copyOf(whole, 3));
        Path inDims = file("in-dims", true, Arrays.copyOf(whole, 10));
        assertIdxError(() -> IdxReader.readImages(inMagic), inMagic)
                .hasMessageContaining("truncated: ends after 3 bytes, inside the 4-byte magic number");
        assertIdxError(() -> IdxReader.readImages(inDims), inDims)
                .hasMessageContaining("truncated: ends after 10 bytes, inside the 16-byte header");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void missingPixelsAreTruncated(boolean gz) throws IOException {
        byte[] whole = IdxTestFiles.raw(IMAGES, new int[] {3, 28, 28}, new byte[3 * 784]);
        Path file = file("cut-images", gz, Arrays.copyOf(whole, whole.length - 100));
        assertIdxError(() -> IdxReader.readImages(file), file)
                .hasMessageContaining(
                        "truncated: declares 3 images of 28x28 (2352 bytes after the 16-byte header) but holds only 2252");
    }

    @Test
    void missingLabelsAreTruncated() throws IOException {
        Path file = file("cut-labels", false, IdxTestFiles.raw(LABELS, new int[] {10}, new byte[9]));
        assertIdxError(() -> IdxReader.readLabels(file), file)
                .hasMessageContaining(
                        "truncated: declares 10 labels (10 bytes after the 8-byte header) but holds only 9");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void trailingBytesMeanAWrongCount(boolean gz) throws IOException {
        Path file = file("long-labels", gz, IdxTestFiles.raw(LABELS, new int[] {5}, new byte[8]));
        assertIdxError(() -> IdxReader.readLabels(file), file)
                .hasMessageContaining("3 trailing bytes after the data: declares 5 labels");
    }

    @Test
    void cutGzipStreamIsAnError() throws IOException {
        byte[] idxGz = IdxTestFiles.gzip(IdxTestFiles.raw(
                IMAGES,
                new int[] {50, 28, 28},
                IdxTestFiles.images(dir.resolve("x"), 50, 28, 28, 3).pixels()));
        assertThat(idxGz.length).isGreaterThan(1000);
        Path file = file("cut.gz", false, Arrays.copyOf(idxGz, idxGz.length / 2));
        assertIdxError(() -> IdxReader.readImages(file), file).hasMessageContaining("truncated or damaged gzip data");
    }

    @Test
    void gzipChecksumMismatchIsAnError() throws IOException {
        byte[] damaged = IdxTestFiles.gzip(IdxTestFiles.raw(LABELS, new int[] {1000}, new byte[1000]));
        damaged[damaged.length - 8] ^= 0x5A; // first byte of the CRC-32 trailer
        Path file = file("damaged.gz", false, damaged);
        assertIdxError(() -> IdxReader.readLabels(file), file)
                .hasMessageContaining("truncated or damaged gzip data (Corrupt GZIP trailer)");
    }

    @Test
    void zeroSizedImageSideIsAnError() throws IOException {
        Path file = file("flat", false, IdxTestFiles.raw(IMAGES, new int[] {4, 0, 28}, new byte[0]));
        assertIdxError(() -> IdxReader.readImages(file), file)
                .hasMessageContaining("dimension 1 has size 0, an image side must be at least 1");
    }

    @Test
    void absurdDeclaredSizeFailsWithoutReadingOrAllocating() throws IOException {
        Path huge = file("huge", false, IdxTestFiles.raw(IMAGES, new int[] {100_000, 1000, 1000}, new byte[10]));
        Path negative = file("negative", false, IdxTestFiles.raw(IMAGES, new int[] {-1, 28, 28}, new byte[10]));
        assertIdxError(() -> IdxReader.readImages(huge), huge)
                .hasMessageContaining("declares 100000 images of 1000x1000, more than the");
        assertIdxError(() -> IdxReader.readImages(negative), negative)
                .hasMessageContaining("dimension 0 has size 4294967295, more than this reader supports");
    }

    @Test
    void imageAndLabelCountsMustMatch() throws IOException {
        IdxTestFiles.pair(dir, "img", "unused", 6, 4, 4);
        IdxTestFiles.pair(dir, "unused2", "lab.gz", 5, 4, 4);
        assertThatThrownBy(() -> IdxDataset.read(dir.resolve("img"), dir.resolve("lab.gz")))
                .isInstanceOf(IdxFormatException.class)
                .hasMessage("images file " + dir.resolve("img") + " holds 6 images but labels file "
                        + dir.resolve("lab.gz") + " holds 5 labels; they must describe the same samples");
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        IdxTestFiles.pair(dir, "img", "lab", 2, 2, 2);
        assertThatThrownBy(() -> IdxDataset.read(dir.resolve("nope"), dir.resolve("lab")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("images file " + dir.resolve("nope") + " does not exist");
        assertThatThrownBy(() -> IdxDataset.read(dir.resolve("img"), dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("labels file " + dir + " is not a regular file");
    }

    private Path file(String name, boolean gz, byte[] content) throws IOException {
        return IdxTestFiles.write(dir.resolve(name), gz ? IdxTestFiles.gzip(content) : content);
    }

    /** The reader fails with an IdxFormatException whose one-line message starts with the file's path. */
    private static AbstractThrowableAssert<?, ? extends Throwable> assertIdxError(
            org.assertj.core.api.ThrowableAssert.ThrowingCallable read, Path file) {
        return assertThatThrownBy(read)
                .isInstanceOf(IdxFormatException.class)
                .hasMessageStartingWith(file + ": ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
