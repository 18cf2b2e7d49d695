package io.distillery.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Format detection from first bytes and the structural checks behind TRUNCATED. */
class ImageFormatTest {

    private static Optional<ImageFormat> detect(String ascii) {
        return ImageFormat.detect(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void formatsAreRecognisedFromTheirSignatures() {
        assertThat(ImageFormat.detect(TestImages.jpeg(TestImages.filled(8, 8, 0), false)))
                .contains(ImageFormat.JPEG);
        assertThat(ImageFormat.detect(TestImages.encode(TestImages.filled(8, 8, 0), "png")))
                .contains(ImageFormat.PNG);
        assertThat(ImageFormat.detect(TestImages.encode(TestImages.filled(8, 8, 0), "gif")))
                .contains(ImageFormat.GIF);
        assertThat(ImageFormat.detect(TestImages.encode(TestImages.filled(8, 8, 0), "bmp")))
                .contains(ImageFormat.BMP);
        assertThat(ImageFormat.detect(TestImages.encode(TestImages.filled(8, 8, 0), "tiff")))
                .contains(ImageFormat.TIFF);
        assertThat(ImageFormat.detect(TinyWebp.lossless(1, 1, new int[1]))).contains(ImageFormat.WEBP);
        assertThat(detect("\0\0\0\u0018ftypheic")).contains(ImageFormat.HEIF);
        assertThat(detect("8BPS\0\1")).contains(ImageFormat.PSD);
        assertThat(detect("  <svg width=\"1\"/>")).contains(ImageFormat.SVG);
    }

    @Test
    void lookalikesAreNotImages() {
        assertThat(detect("BMW is a car brand, not a bitmap")).isEmpty();
        assertThat(detect("\0\0\0\u0018ftypmp42")).as("an MP4 video").isEmpty();
        assertThat(detect("RIFF\u0024\0\0\0WAVEfmt ")).as("a WAV file").isEmpty();
        assertThat(detect("<?xml version=\"1.0\"?><rss/>")).isEmpty();
        assertThat(ImageFormat.detect(new byte[] {(byte) 0xFF, (byte) 0xD8})).isEmpty();
        assertThat(ImageFormat.detect(new byte[] {0, 0, 1, 1, 1})).isEmpty();
    }

    @Test
    void onlyReadableFormatsHaveAnImageIoName() {
        assertThat(ImageFormat.JPEG.imageIoName()).contains("jpeg");
        assertThat(ImageFormat.WEBP.imageIoName()).contains("webp");
        assertThat(ImageFormat.HEIF.imageIoName()).isEmpty();
    }

    @Test
    void jpegLayoutFindsComponentsTheAdobeTransformAndTheEnd() {
        byte[] ycc = TestImages.jpeg(TestImages.noise(16, 16, 1), false);
        assertThat(JpegLayout.scan(ycc)).isEqualTo(new JpegLayout(3, -1, false));
        byte[] cmyk = TestImages.cmykJpeg(16, 16, new int[4], new int[4]);
        assertThat(JpegLayout.scan(cmyk)).isEqualTo(new JpegLayout(4, 0, false));
        assertThat(JpegLayout.scan(TestImages.ycckJpeg(16, 16, new int[4])).adobeTransform())
                .isEqualTo(2);
        assertThat(JpegLayout.scan(Arrays.copyOf(ycc, 40)).endsEarly())
                .as("cut in the headers")
                .isTrue();
        assertThat(JpegLayout.scan(Arrays.copyOf(ycc, ycc.length - 1)).endsEarly())
                .as("cut in the EOI")
                .isTrue();
    }

    @Test
    void pngChunksFindCutsAndCrcMismatches() {
        byte[] png = TestImages.encode(TestImages.noise(16, 16, 1), "png");
        assertThat(PngChunks.check(png)).isEqualTo(new PngChunks(false, null));
        assertThat(PngChunks.check(Arrays.copyOf(png, png.length - 20)).endsEarly())
                .isTrue();
        byte[] badHeader = png.clone();
        badHeader[8 + 8] ^= 1; // first byte of the width
        assertThat(PngChunks.check(badHeader).corruptChunk()).isEqualTo("IHDR");
    }

    @Test
    void webpContainerComparesTheRiffSizesWithTheData() {
        byte[] webp = TinyWebp.lossless(2, 1, new int[] {0xFF000000, 0xFFFFFFFF});
        assertThat(WebpContainer.endsEarly(webp)).isFalse();
        assertThat(WebpContainer.endsEarly(Arrays.copyOf(webp, webp.length - 1)))
                .isTrue();
        byte[] trailing = Arrays.copyOf(webp, webp.length + 7);
        assertThat(WebpContainer.endsEarly(trailing))
                .as("bytes after the RIFF end are ignored")
                .isFalse();
    }
}
