package io.distillery.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.distillery.npy.ParityFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The parity images, decoded and normalised, must reproduce timm/torchvision's input.npy bit for bit. */
class ImagePreprocessorParityTest {

    private static final double[] MEAN = {0.485, 0.456, 0.406};
    private static final double[] STD = {0.229, 0.224, 0.225};

    @Test
    void reproducesInputNpyBitForBit() throws IOException {
        INDArray batch = ImagePreprocessor.square(32, MEAN, STD).batchFiles(parityImages());
        INDArray expected = ParityFiles.array("input");

        assertThat(batch.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(batch.shape()).isEqualTo(new long[] {6, 3, 32, 32});
        float[] ours = batch.reshape(batch.length()).toFloatVector();
        float[] theirs = expected.reshape(expected.length()).toFloatVector();
        assertThat(maxAbsDiff(ours, theirs)).isZero();
        assertThat(ours).isEqualTo(theirs); // also bitwise: no -0 vs 0 or NaN surprises
    }

    /**
     * Documents why everything stays in float32: the same formula evaluated in double and rounded once
     * is a different (more accurate, but not torchvision's) result.
     */
    @Test
    void doublePrecisionVariantIsNotTheReference() throws IOException {
        INDArray expected = ParityFiles.array("input");
        List<Path> files = parityImages();
        int mismatches = 0;
        for (int b = 0; b < files.size(); b++) {
            RgbImage image = ImageDecoder.decode(files.get(b));
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        float inDouble = (float) ((image.value(x, y, c) / 255.0 - MEAN[c]) / STD[c]);
                        if (inDouble != expected.getFloat(b, c, y, x)) {
                            mismatches++;
                        }
                    }
                }
            }
        }
        assertThat(mismatches).isPositive();
    }

    static List<Path> parityImages() {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            files.add(ParityFiles.file("images/img_" + i + ".png"));
        }
        return files;
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        assertThat(a).hasSameSizeAs(b);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }
}
