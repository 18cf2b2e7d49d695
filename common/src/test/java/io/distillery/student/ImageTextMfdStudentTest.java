package io.distillery.student;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.distillery.losses.imagetext.FeatureDistillationLoss;
import io.distillery.masking.MaskGenerator;
import io.distillery.masking.MaskInput;
import io.distillery.masking.MaskSeeds;
import io.distillery.masking.TokenMask;
import io.distillery.model.text.TextEncoderGraph;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * CLIP-KD's masked feature distillation ({@code mfd}) on the multimodal student: the student's image path sees the
 * CLS token and the patches each row's mask keeps, so its image embedding does not depend on the masked patches'
 * pixels and does on the kept ones'; its gradients match finite differences; the whole-image export form holds the
 * same parameters.
 */
class ImageTextMfdStudentTest extends TinyImageText {
    /** 8 x 8 images in patches of 4: a 2 x 2 grid; mask-ratio 0.5 keeps int(4 x 0.5) = 2 patches. */
    private static final List<ImageTextKdTerm> TERMS = List.of(
            new ImageTextKdTerm("clip", 1, Map.of()),
            new ImageTextKdTerm("mfd", 40, Map.of(FeatureDistillationLoss.MASK_RATIO, 0.5)),
            new ImageTextKdTerm("icl", 0.5, Map.of()));

    private static ImageTextKdLoss loss() {
        return ImageTextKdStudentTest.loss(TERMS);
    }

    private static ComputationGraph graph(int shared, int top) {
        ComputationGraph net = new ComputationGraph(ImageTextStudentGraph.kdConfiguration(
                ImageTextKdStudentTest.config(shared, top),
                loss(),
                5,
                TextEncoderGraph.base(42, DataType.DOUBLE).updater(new NoOp())));
        net.init();
        Nd4j.getRandom().setSeed(3);
        INDArray params = net.params();
        params.addi(Nd4j.randn(DataType.DOUBLE, params.shape()).muli(0.3));
        return net;
    }

    private static List<TokenMask> masks() {
        MaskGenerator generator = loss().masks(2);
        return List.of(generator.mask(7, "a", 0, 0), generator.mask(7, "b", 0, 0), generator.mask(7, "c", 1, 0));
    }

    private static INDArray maskRows(List<TokenMask> masks) {
        int width = MaskInput.width(4);
        double[] values = new double[masks.size() * width];
        float[] row = new float[width];
        for (int r = 0; r < masks.size(); r++) {
            MaskInput.write(masks.get(r), MaskSeeds.noiseSeed(7, "x", 0, r), row, 0);
            for (int i = 0; i < width; i++) {
                values[r * width + i] = row[i];
            }
        }
        return Nd4j.create(values, new long[] {masks.size(), width}, DataType.DOUBLE);
    }

    private static INDArray[] inputs(INDArray pixels, List<TokenMask> masks) {
        INDArray[] plain = inputs();
        return new INDArray[] {pixels, plain[1], plain[2], plain[3], maskRows(masks)};
    }

    private static INDArray imageEmbedding(ComputationGraph net, INDArray[] in) {
        return net.feedForward(in, false).get(ImageTextStudentGraph.IMAGE_PROJECTION);
    }

    /** Adds noise to one patch (row-major index on the 2 x 2 grid of 4 x 4 pixels) of image {@code row}. */
    private static INDArray withPatchChanged(INDArray pixels, int row, int patch) {
        INDArray changed = pixels.dup();
        int y = (patch / 2) * 4;
        int x = (patch % 2) * 4;
        INDArray region = changed.get(
                NDArrayIndex.point(row),
                NDArrayIndex.all(),
                NDArrayIndex.interval(y, y + 4),
                NDArrayIndex.interval(x, x + 4));
        region.addi(Nd4j.randn(DataType.DOUBLE, region.shape()));
        return changed;
    }

    @Test
    void theMaskKeepsTheReferencesCount() {
        assertThat(loss().maskRatio()).isEqualTo(0.5);
        assertThat(loss().masks(2).keptCount()).isEqualTo(2);
        assertThat(loss().masks(14).keptCount()).isEqualTo(98); // int(196 x 0.5)
        assertThat(ImageTextKdStudentTest.loss(List.of(new ImageTextKdTerm("fd", 1, Map.of())))
                        .masks(14))
                .isNull();
        assertThat(new ImageTextKdTerm("mfd", 1, Map.of()).loss())
                .isInstanceOfSatisfying(
                        FeatureDistillationLoss.class,
                        l -> assertThat(l.maskRatio()).isEqualTo(0.75));
    }

    @Test
    void theImageEmbeddingSeesTheKeptPatchesOnly() {
        for (int[] depth : new int[][] {{1, 1}, {2, 0}}) {
            ComputationGraph net = graph(depth[0], depth[1]);
            List<TokenMask> masks = masks();
            INDArray pixels = inputs()[0];
            INDArray base = imageEmbedding(net, inputs(pixels, masks));
            int masked = masks.get(1).maskedIndices()[0];
            int kept = masks.get(1).keptIndices()[0];
            INDArray hidden = imageEmbedding(net, inputs(withPatchChanged(pixels, 1, masked), masks));
            assertThat(hidden.equalsWithEps(base, 1e-12)).isTrue();
            INDArray seen = imageEmbedding(net, inputs(withPatchChanged(pixels, 1, kept), masks));
            assertThat(rowDistance(seen, base, 1)).isGreaterThan(1e-6);
            assertThat(rowDistance(seen, base, 0)).isLessThan(1e-12); // rows stay apart
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        ComputationGraph net = graph(1, 1);
        INDArray[] in = inputs(inputs()[0], masks());
        assertThat(SampledGradientCheck.failures(
                        net, in, new INDArray[] {ImageTextKdStudentTest.teacher()}, 2, 1e-6, 1e-4, 1e-7))
                .isEmpty();
    }

    @Test
    void theWholeImageFormHoldsTheTrainedParameters() {
        ComputationGraph net = graph(1, 1);
        ComputationGraph whole = ImageTextStudentGraph.wholeImage(net, ImageTextKdStudentTest.config(1, 1), loss(), 5);
        assertThat(whole.getConfiguration().getNetworkInputs()).hasSize(4);
        assertThat(whole.getVertex(ImageTextStudentGraph.IMAGE_VISIBLE)).isNull();
        assertThat(whole.numParams()).isEqualTo(net.numParams());
        assertThat(whole.paramTable()).isEqualTo(net.paramTable());
        INDArray[] four = inputs();
        INDArray wholeEmbedding = imageEmbedding(whole, four);
        // a reference: the same parameters in a graph built without mfd
        ComputationGraph plain = new ComputationGraph(ImageTextStudentGraph.kdConfiguration(
                ImageTextKdStudentTest.config(1, 1),
                ImageTextKdStudentTest.loss(List.of(
                        new ImageTextKdTerm("clip", 1, Map.of()),
                        new ImageTextKdTerm("fd", 40, Map.of()),
                        new ImageTextKdTerm("icl", 0.5, Map.of()))),
                5,
                TextEncoderGraph.base(42, DataType.DOUBLE)));
        plain.init();
        for (org.deeplearning4j.nn.api.Layer layer : plain.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            layer.paramTable()
                    .forEach((key, value) -> value.assign(net.getLayer(name).getParam(key)));
        }
        assertThat(plain.paramTable()).isEqualTo(net.paramTable());
        assertThat(wholeEmbedding.equalsWithEps(imageEmbedding(plain, four), 1e-12))
                .isTrue();
        INDArray masked = imageEmbedding(net, inputs(four[0], masks()));
        assertThat(masked.equalsWithEps(wholeEmbedding, 1e-6)).isFalse();
        // without mfd there is nothing to convert
        assertThat(ImageTextStudentGraph.wholeImage(
                        plain,
                        ImageTextKdStudentTest.config(1, 1),
                        ImageTextKdStudentTest.loss(List.of(new ImageTextKdTerm("clip", 1, Map.of()))),
                        5))
                .isSameAs(plain);
    }

    @Test
    void refusesBadRatiosAndASecondMfdTerm() {
        assertThatThrownBy(() -> new ImageTextKdTerm("mfd", 1, Map.of(FeatureDistillationLoss.MASK_RATIO, 1.0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mfd: mask-ratio must be in (0, 1), got 1.0");
        assertThatThrownBy(() -> new ImageTextKdTerm("fd", 1, Map.of(FeatureDistillationLoss.MASK_RATIO, 0.5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown parameter mask-ratio");
        assertThatThrownBy(() -> ImageTextKdStudentTest.loss(
                        List.of(new ImageTextKdTerm("mfd", 1, Map.of()), new ImageTextKdTerm("mfd", 2, Map.of()))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("mfd is named more than once");
    }

    private static double rowDistance(INDArray a, INDArray b, int row) {
        return a.getRow(row).distance2(b.getRow(row));
    }
}
