package io.distillery.model.clip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Concurrency, shorter texts, normalisation and input checks of {@link ClipModel}. */
class ClipModelTest {
    private static ClipModel model;

    @BeforeAll
    static void load() {
        model = ClipFixtures.Variant.GELU.model();
    }

    @Test
    void concurrentPassesEqualSequentialOnes() throws Exception {
        INDArray pixels = ClipFixtures.pixels();
        int[][] ids = ClipFixtures.tokenIds();
        // a different input per thread, so that a pass reading another thread's temporaries would show
        List<INDArray> images = List.of(pixels, pixels.mul(0.5), pixels.neg());
        List<int[][]> texts = List.of(ids, reversedRows(ids), new int[][] {ids[1], ids[1]});
        List<float[]> expected = new ArrayList<>();
        for (int c = 0; c < images.size(); c++) {
            expected.add(both(images.get(c), texts.get(c)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(images.size());
        try {
            List<Future<List<float[]>>> runs = new ArrayList<>();
            for (int c = 0; c < images.size(); c++) {
                INDArray image = images.get(c);
                int[][] text = texts.get(c);
                Callable<List<float[]>> loop = () -> {
                    List<float[]> outs = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        outs.add(both(image, text));
                    }
                    return outs;
                };
                runs.add(pool.submit(loop));
            }
            for (int c = 0; c < images.size(); c++) {
                for (float[] out : runs.get(c).get()) {
                    assertThat(out)
                            .as("input %d: a concurrent pass equals the sequential one", c)
                            .containsExactly(expected.get(c));
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTextCutAfterItsEotEncodesAsThePaddedOne() {
        // causal attention: the padding after EOT cannot change the pooled token (open_clip's TextTransformer cuts
        // positions and mask to the length the same way)
        int[][] ids = ClipFixtures.tokenIds();
        int[][] cut = new int[][] {Arrays.copyOf(ids[1], 7), Arrays.copyOf(ids[2], 7)};
        INDArray full = model.encodeTexts(new int[][] {ids[1], ids[2]});
        INDArray shorter = model.encodeTexts(cut);
        assertThat(shorter.sub(full).amaxNumber().doubleValue())
                .isLessThanOrEqualTo(1e-6 * full.amaxNumber().doubleValue());
        // and the EOT is what is pooled: cutting before it moves the pooling and changes the embedding
        INDArray beforeEot = model.encodeTexts(new int[][] {Arrays.copyOf(ids[1], 6)});
        assertThat(beforeEot.sub(full.getRow(0, true)).amaxNumber().doubleValue())
                .isGreaterThan(1e-3);
    }

    @Test
    void eachRowIsEncodedIndependentlyOfTheBatch() {
        INDArray pixels = ClipFixtures.pixels();
        INDArray batch = model.encodeImages(pixels);
        INDArray single =
                model.encodeImages(pixels.get(NDArrayIndex.interval(2, 3)).dup());
        // gemms of other sizes round differently, hence not bit for bit
        assertThat(single.sub(batch.getRow(2, true)).amaxNumber().doubleValue())
                .isLessThanOrEqualTo(1e-6 * batch.amaxNumber().doubleValue());
    }

    @Test
    void normalizeGivesUnitRowsAndKeepsDirections() {
        INDArray features = model.encodeImages(ClipFixtures.pixels());
        INDArray unit = ClipModel.normalize(features);
        INDArray norms = unit.norm2(1);
        assertThat(norms.sub(1).amaxNumber().doubleValue()).isLessThan(1e-6);
        INDArray back = unit.mulColumnVector(features.norm2(1));
        assertThat(back.sub(features).amaxNumber().doubleValue()).isLessThan(1e-5);
        INDArray zero = ClipModel.normalize(Nd4j.zeros(DataType.FLOAT, 1, 4));
        assertThat(zero.amaxNumber().doubleValue()).isZero(); // divided by 1e-12, not by 0
    }

    @Test
    void badInputsAreRefusedWithTheirShape() {
        assertThatThrownBy(() -> model.encodeImages(Nd4j.zeros(DataType.FLOAT, 2, 3, 32, 30)))
                .hasMessage("pixels must be [batch, 3, 32, 32], got [2, 3, 32, 30]");
        assertThatThrownBy(() -> model.encodeTexts(new int[][] {{98, 100}}))
                .hasMessage("token id 100 at [0, 1] is outside the vocabulary of 100 (text_cfg.vocab_size)");
        assertThatThrownBy(() -> model.encodeTexts(new int[][] {{98, 99}, {98}}))
                .hasMessage("row 1 has 1 token ids, row 0 has 2: pad the batch to one length");
        assertThatThrownBy(() -> model.encodeTexts(new int[][] {new int[17]}))
                .hasMessage("17 token ids per row, but the text tower takes 1 to 16 (text_cfg.context_length)");
        assertThatThrownBy(() -> model.encodeTexts(new int[0][])).hasMessage("empty batch of token ids");
    }

    private static float[] both(INDArray pixels, int[][] ids) {
        float[] image = model.encodeImages(pixels).data().asFloat();
        float[] text = model.encodeTexts(ids).data().asFloat();
        float[] out = Arrays.copyOf(image, image.length + text.length);
        System.arraycopy(text, 0, out, image.length, text.length);
        return out;
    }

    private static int[][] reversedRows(int[][] ids) {
        int[][] out = new int[ids.length][];
        for (int b = 0; b < ids.length; b++) {
            out[b] = ids[ids.length - 1 - b];
        }
        return out;
    }
}
