package io.distillery.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ImageTextRetrievalTest {

    /** Images along x, y, -x. */
    private static final INDArray IMAGES = Nd4j.create(new float[][] {{1, 0}, {0, 1}, {-1, 0}});

    @Test
    void anImageHitsWithItsBestCaptionAndACaptionWithItsImage() {
        // Captions 0, 1 belong to image 0; caption 2 to image 1; caption 3 to image 2.
        // Image 0 (x): cosines 0.6 (c0), 0.98 (c1), 0.8 (c2), -1 (c3): its best caption c1 ranks first -> rank 0.
        // Image 1 (y): cosines 0.8, 0.2, 0.6, 0: its caption c2 ranks second -> rank 1.
        INDArray captions = Nd4j.create(new float[][] {{0.6f, 0.8f}, {0.98f, 0.2f}, {0.8f, 0.6f}, {-1, 0}});
        int[] owner = {0, 0, 1, 2};
        RetrievalMetrics m = ImageTextRetrieval.evaluate(IMAGES, captions, owner);

        assertThat(m.imageToText().ranks()).containsExactly(0, 1, 0);
        // Caption c0 (0.6, 0.8) is nearer image 1 (y) than its image 0 -> rank 1; c2 (0.8, 0.6) is nearer x -> 1.
        assertThat(m.textToImage().ranks()).containsExactly(1, 0, 1, 0);
        assertThat(m.imageToText().recallAt(1)).isEqualTo(2.0 / 3);
        assertThat(m.textToImage().recallAt(1)).isEqualTo(0.5);
        assertThat(m.textToImage().meanRank()).isEqualTo(1.5);
        // Median of 0-based ranks {0, 0, 1, 1} is 0.5: floored, plus one.
        assertThat(m.textToImage().medianRank()).isEqualTo(1.0);
        assertThat(m.imageToText().gallerySize()).isEqualTo(4);
        assertThat(m.textToImage().gallerySize()).isEqualTo(3);
    }

    @Test
    void kBeyondTheGalleryGivesRecallOne() {
        INDArray captions = Nd4j.create(new float[][] {{0, 1}, {1, 0}, {-1, 0.1f}});
        RetrievalMetrics m = ImageTextRetrieval.evaluatePairs(IMAGES, captions);
        assertThat(m.imageToText().recallAt(1)).isEqualTo(1.0 / 3);
        assertThat(m.imageToText().recallAt(3)).isEqualTo(1.0);
        assertThat(m.imageToText().recallAt(10)).isEqualTo(1.0);
        assertThatThrownBy(() -> m.imageToText().recallAt(0)).hasMessage("recall@K needs K >= 1 but K = 0");
    }

    @Test
    void tiedSimilaritiesRankByGalleryIndex() {
        // Both captions are identical: caption 1 (image 1) loses the tie to caption 0 for every image query.
        INDArray images = Nd4j.create(new float[][] {{1, 0}, {1, 0}});
        INDArray captions = Nd4j.create(new float[][] {{2, 0}, {3, 0}});
        RetrievalMetrics m = ImageTextRetrieval.evaluatePairs(images, captions);
        assertThat(m.imageToText().ranks()).containsExactly(0, 1);
        assertThat(m.textToImage().ranks()).containsExactly(0, 1);
    }

    @Test
    void medianRankAveragesTheMiddlePairBeforeFlooring() {
        // Ranks {0, 3}: numpy median 1.5 -> floor 1 -> median rank 2.
        RetrievalRanks r = new RetrievalRanks(new int[] {3, 0}, 5);
        assertThat(r.medianRank()).isEqualTo(2.0);
        assertThat(r.meanRank()).isEqualTo(2.5);
    }

    @Test
    void badInputIsNamed() {
        INDArray captions = Nd4j.create(new float[][] {{1, 0}, {0, 1}, {-1, 0}});
        assertThatThrownBy(() -> ImageTextRetrieval.evaluatePairs(IMAGES, Nd4j.create(new float[][] {{1, 0, 0}})))
                .hasMessageContaining("3 images and 1 captions");
        assertThatThrownBy(() -> ImageTextRetrieval.evaluatePairs(IMAGES, Nd4j.ones(3, 4)))
                .hasMessage("image embeddings have dimension 2 but caption embeddings have dimension 4");
        assertThatThrownBy(() -> ImageTextRetrieval.evaluate(
                        IMAGES, Nd4j.create(new float[][] {{1, 0}, {0, 0}, {-1, 0}}), new int[] {0, 1, 2}))
                .hasMessage("caption embeddings row 1 is all zeros (its direction is undefined)");
        assertThatThrownBy(() -> ImageTextRetrieval.evaluate(IMAGES, captions, new int[] {0, 0, 2}))
                .hasMessageContaining("image 1 has no caption");
        assertThatThrownBy(() -> ImageTextRetrieval.evaluate(IMAGES, captions, new int[] {0, 1, 3}))
                .hasMessage("caption->image map: caption 2 names image 3, outside [0, 3)");
        assertThatThrownBy(() -> ImageTextRetrieval.evaluate(IMAGES, captions, new int[] {0, 1}))
                .hasMessage("caption->image map has 2 entries for 3 caption embeddings");
    }
}
