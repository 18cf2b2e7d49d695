package io.distillery.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class ZeroShotClassifierTest {

    @Test
    void templatesAreNormalisedBeforeAveragingSoScaleDoesNotWeighThem() {
        // Class 0: templates (10, 0) and (0, 1). Plain mean (5, 0.5) would point at x; unit mean (0.5, 0.5) is the
        // diagonal. Class 1: one template (-3, 0).
        ZeroShotClassifier zs =
                ZeroShotClassifier.fromTemplateEmbeddings(new float[][][] {{{10, 0}, {0, 1}}, {{-3, 0}, {-1, 0}}});
        double h = Math.sqrt(0.5);
        assertThat(zs.weights().toDoubleMatrix()[0]).containsExactly(new double[] {h, h}, within(1e-15));
        assertThat(zs.weights().toDoubleMatrix()[1]).containsExactly(new double[] {-1, 0}, within(1e-15));
        assertThat(zs.numClasses()).isEqualTo(2);
        assertThat(zs.dimension()).isEqualTo(2);
    }

    @Test
    void imagesGoToTheClassOfHighestCosineWhateverTheirLength() {
        ZeroShotClassifier zs =
                ZeroShotClassifier.fromTemplateEmbeddings(new float[][][] {{{1, 0, 0}}, {{0, 1, 0}}, {{0, 0, 1}}});
        float[][] images = {{5, 1, 0}, {0.01f, 0.02f, 0}, {0, 0.2f, 0.9f}};
        assertThat(zs.predict(Nd4j.create(images))).containsExactly(0, 1, 2);
    }

    @Test
    void tiesGoToTheLowerClassIndexForPredictionAndTopK() {
        // Image (1, 1, 0) is equally close to classes 0 and 1, then class 2 at cosine 0, then class 3 at -1/sqrt2.
        ZeroShotClassifier zs = ZeroShotClassifier.fromTemplateEmbeddings(new float[][][] {
            {{1, 0, 0}}, {{0, 1, 0}}, {{0, 0, 1}}, {{-1, 0, 0}}
        });
        assertThat(zs.predict(Nd4j.create(new float[][] {{1, 1, 0}}))).containsExactly(0);
        // Label 1 ranks second (behind its tie partner 0): a top-1 miss, a top-5 hit.
        ZeroShotAccuracy acc = zs.accuracy(Nd4j.create(new float[][] {{1, 1, 0}, {1, 1, 0}}), new int[] {0, 1});
        assertThat(acc.top1Correct()).isEqualTo(1);
        assertThat(acc.top5Correct()).isEqualTo(2);
        assertThat(acc.top1()).isEqualTo(0.5);
    }

    @Test
    void topFiveCountsLabelsRankedFifthButNotSixth() {
        // Seven classes along directions of falling cosine to the image (1, 0): class c at angle 10 * c degrees.
        float[][][] text = new float[7][1][];
        for (int c = 0; c < 7; c++) {
            double a = Math.toRadians(10 * c);
            text[c][0] = new float[] {(float) Math.cos(a), (float) Math.sin(a)};
        }
        ZeroShotClassifier zs = ZeroShotClassifier.fromTemplateEmbeddings(text);
        float[][] images = {{1, 0}, {1, 0}};
        ZeroShotAccuracy acc = zs.accuracy(Nd4j.create(images), new int[] {4, 5});
        assertThat(acc.top1Correct()).isZero();
        assertThat(acc.top5Correct()).isEqualTo(1);
    }

    @Test
    void zeroVectorsAreErrorsNamingTheRow() {
        assertThatThrownBy(() -> ZeroShotClassifier.fromTemplateEmbeddings(new float[][][] {{{1, 0}, {0, 0}}}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("zero-shot text embeddings row 1 is all zeros (its direction is undefined)");
        assertThatThrownBy(() -> ZeroShotClassifier.fromTemplateEmbeddings(new float[][][] {{{1, 0}, {-1, 0}}}))
                .hasMessageContaining("class 0: its 2 template embeddings cancel out");
        ZeroShotClassifier zs = ZeroShotClassifier.fromTemplateEmbeddings(new float[][][] {{{1, 0}}, {{0, 1}}});
        assertThatThrownBy(() -> zs.predict(Nd4j.create(new float[][] {{1, 1}, {0, 0}})))
                .hasMessage("zero-shot image embeddings row 1 is all zeros (its direction is undefined)");
    }

    @Test
    void mismatchedDimensionsAndShapesAreNamed() {
        ZeroShotClassifier zs = ZeroShotClassifier.fromTemplateEmbeddings(new float[][][] {{{1, 0}}, {{0, 1}}});
        assertThatThrownBy(() -> zs.predict(Nd4j.create(new float[][] {{1, 0, 0}})))
                .hasMessage(
                        "zero-shot image embeddings have dimension 3 but the class text embeddings have dimension 2");
        assertThatThrownBy(() -> ZeroShotClassifier.fromTemplateEmbeddings(new float[][][] {{{1, 0}}, {{0, 1, 0}}}))
                .hasMessage("zero-shot text embeddings: class 1 template 0 has dimension 3, expected 2");
        assertThatThrownBy(() ->
                        ZeroShotClassifier.fromTemplateEmbeddings(new float[][][] {{{1, 0}}, {{0, 1}, {1, 1}}}))
                .hasMessage("zero-shot text embeddings: class 1 has 2 templates, class 0 has 1");
        assertThatThrownBy(() -> ZeroShotClassifier.fromTemplateEmbeddings(Nd4j.ones(2, 3)))
                .hasMessageContaining("must be [classes, templates, D]");
        assertThatThrownBy(() -> zs.accuracy(Nd4j.create(new float[][] {{1, 0}}), new int[] {2}))
                .hasMessage("zero-shot image labels go up to 2 but the classifier has 2 classes");
    }
}
