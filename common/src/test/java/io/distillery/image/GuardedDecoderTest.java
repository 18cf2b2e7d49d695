package io.distillery.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class GuardedDecoderTest {
    private static final DecodeLimits LIMITS = DecodeLimits.defaults();

    private static byte[] encode(BufferedImage image, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, format, out)).isTrue();
        return out.toByteArray();
    }

    private static BufferedImage noise(int w, int h, int type) {
        BufferedImage image = new BufferedImage(w, h, type);
        java.util.Random r = new java.util.Random(1);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        return image;
    }

    @Test
    void goodImagesDecodeToRgb() throws Exception {
        RgbImage png = GuardedDecoder.decode(encode(noise(20, 10, BufferedImage.TYPE_INT_RGB), "png"), "a.png", LIMITS);
        assertThat(png.width()).isEqualTo(20);
        RgbImage gray = GuardedDecoder.decode(encode(noise(8, 8, BufferedImage.TYPE_BYTE_GRAY), "png"), "g.png", LIMITS);
        assertThat(gray.value(3, 3, 0)).isEqualTo(gray.value(3, 3, 1)).isEqualTo(gray.value(3, 3, 2));
        RgbImage jpg = GuardedDecoder.decode(encode(noise(16, 16, BufferedImage.TYPE_INT_RGB), "jpg"), "a.jpg", LIMITS);
        assertThat(jpg.height()).isEqualTo(16);
    }

    @Test
    void badInputGetsAReason() throws Exception {
        assertThatThrownBy(() -> GuardedDecoder.decode(new byte[0], "e.jpg", LIMITS))
                .isInstanceOf(ImageRejectedException.class).hasMessage("e.jpg: empty file")
                .extracting(e -> ((ImageRejectedException) e).reason()).isEqualTo(RejectReason.EMPTY);
        assertThatThrownBy(() -> GuardedDecoder.decode(new byte[] {1, 2, 3, 4}, "x.png", LIMITS))
                .extracting(e -> ((ImageRejectedException) e).reason()).isEqualTo(RejectReason.UNDECODABLE);
        byte[] png = encode(noise(64, 64, BufferedImage.TYPE_INT_RGB), "png");
        assertThatThrownBy(() -> GuardedDecoder.decode(Arrays.copyOf(png, png.length / 2), "t.png", LIMITS))
                .hasMessageStartingWith("t.png: ")
                .extracting(e -> ((ImageRejectedException) e).reason()).isEqualTo(RejectReason.TRUNCATED);
        byte[] jpg = encode(noise(64, 64, BufferedImage.TYPE_INT_RGB), "jpg");
        assertThatThrownBy(() -> GuardedDecoder.decode(Arrays.copyOf(jpg, jpg.length / 2), "t.jpg", LIMITS))
                .extracting(e -> ((ImageRejectedException) e).reason()).isEqualTo(RejectReason.TRUNCATED);
        assertThatThrownBy(() -> GuardedDecoder.decode(png, "big.png", new DecodeLimits(1000, 20_000)))
                .hasMessage("big.png: 64x64 exceeds the decode limits (20000 per side, 1000 pixels)")
                .extracting(e -> ((ImageRejectedException) e).reason()).isEqualTo(RejectReason.TOO_LARGE);
    }
}
