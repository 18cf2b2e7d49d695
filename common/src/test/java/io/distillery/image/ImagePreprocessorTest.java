package io.distillery.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class ImagePreprocessorTest {

    private static final double[] MEAN = {0.485, 0.456, 0.406};
    private static final double[] STD = {0.229, 0.224, 0.225};

    @Test
    void batchIsNchwWithChannelsInRgbOrder() {
        // 2x1 image: pixel (0,0) = (10, 20, 30), pixel (1,0) = (40, 50, 60)
        RgbImage image = new RgbImage("two.png", 2, 1, new byte[] {10, 20, 30, 40, 50, 60});
        INDArray batch = new ImagePreprocessor(1, 2, new ImageNormalizer(MEAN, STD)).batch(List.of(image, image));

        assertThat(batch.shape()).isEqualTo(new long[] {2, 3, 1, 2});
        assertThat(batch.getFloat(1, 0, 0, 0)).isEqualTo((10f / 255f - 0.485f) / 0.229f);
        assertThat(batch.getFloat(1, 1, 0, 1)).isEqualTo((50f / 255f - 0.456f) / 0.224f);
        assertThat(batch.getFloat(0, 2, 0, 1)).isEqualTo((60f / 255f - 0.406f) / 0.225f);
    }

    @Test
    void normalizeGivesChwForOneImage() {
        RgbImage image = new RgbImage("one.png", 1, 1, new byte[] {(byte) 255, 0, (byte) 128});
        INDArray chw = new ImageNormalizer(new double[] {0, 0, 0}, new double[] {1, 1, 1}).normalize(image);
        assertThat(chw.shape()).isEqualTo(new long[] {3, 1, 1});
        assertThat(chw.reshape(3).toFloatVector()).containsExactly(1f, 0f, 128f / 255f);
    }

    @Test
    void imageOfAnotherSizeIsRejectedNamingFileAndBothSizes() {
        RgbImage small = new RgbImage("dir/small.png", 2, 1, new byte[6]);
        ImagePreprocessor p = ImagePreprocessor.square(32, MEAN, STD);
        assertThatThrownBy(() -> p.batch(List.of(small)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dir/small.png")
                .hasMessageContaining("2x1")
                .hasMessageContaining("32x32");
    }

    @Test
    void badMeanOrStdIsRejectedWithTheValues() {
        assertThatThrownBy(() -> new ImageNormalizer(new double[] {0.5, 0.5}, STD))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mean")
                .hasMessageContaining("[0.5, 0.5]");
        assertThatThrownBy(() -> new ImageNormalizer(MEAN, new double[] {0.2, 0, 0.2}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("std")
                .hasMessageContaining("0.0");
        assertThatThrownBy(() -> ImagePreprocessor.square(0, MEAN, STD))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0x0");
        assertThatThrownBy(() -> ImagePreprocessor.square(32, MEAN, STD).batch(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rgbImageRejectsAWrongByteCount() {
        assertThatThrownBy(() -> new RgbImage("x.png", 2, 2, new byte[11]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x.png")
                .hasMessageContaining("11");
    }
}
