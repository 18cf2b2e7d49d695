package io.distillery.eval;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Image-to-text and text-to-image retrieval ranks for CLIP-style embeddings, as open_clip's
 * {@code get_clip_metrics} (training/train.py) computes them, extended to images that own several captions (COCO,
 * Flickr: 5 each) by the standard definition: an image query's rank is the best rank of any of its own captions among
 * all captions; a caption query's rank is the rank of its image among all images. With one caption per image this is
 * exactly open_clip's 1:1 evaluation.
 *
 * <p>Both sides are L2-normalised (the embeddings open_clip evaluates are), similarities are cosines in double.
 * Ties rank by lower gallery index (a stable sort; torch's argsort leaves them unspecified), and among an image's
 * captions with equal cosine the lowest-indexed one counts. Zero embeddings, different dimensions and captions that
 * name no image are errors.
 */
public final class ImageTextRetrieval {

    /** Similarities held at once (doubles): the query block shrinks as the gallery grows. */
    private static final int BLOCK_VALUES = 1 << 24;

    private ImageTextRetrieval() {}

    /**
     * @param images       image embeddings [N, D]
     * @param captions     caption embeddings [M, D]
     * @param captionImage for each caption, the index of the image it describes; every image needs at least one
     */
    public static RetrievalMetrics evaluate(INDArray images, INDArray captions, int[] captionImage) {
        INDArray img = UnitRows.of(images, "image embeddings");
        INDArray txt = UnitRows.of(captions, "caption embeddings");
        UnitRows.sameDimension(img, "image embeddings", txt, "caption embeddings");
        int n = Math.toIntExact(img.rows());
        int m = Math.toIntExact(txt.rows());
        int[][] owned = captionsOf(captionImage, n, m);

        int[] imageRanks = new int[n];
        forEachQuery(
                img, txt, (q, s, offset) -> imageRanks[q] = UnitRows.rankOf(s, offset, m, best(s, offset, owned[q])));
        int[] captionRanks = new int[m];
        forEachQuery(txt, img, (q, s, offset) -> captionRanks[q] = UnitRows.rankOf(s, offset, n, captionImage[q]));
        return new RetrievalMetrics(new RetrievalRanks(imageRanks, m), new RetrievalRanks(captionRanks, n));
    }

    /** 1:1 pairs: caption i describes image i. */
    public static RetrievalMetrics evaluatePairs(INDArray images, INDArray captions) {
        long n = FeatureChecks.checked(images, "image embeddings").rows();
        if (FeatureChecks.checked(captions, "caption embeddings").rows() != n) {
            throw new IllegalArgumentException(
                    "paired retrieval needs one caption per image but got " + n + " images and " + captions.rows()
                            + " captions (pass the caption->image map for several captions per image)");
        }
        int[] identity = new int[Math.toIntExact(n)];
        for (int i = 0; i < identity.length; i++) {
            identity[i] = i;
        }
        return evaluate(images, captions, identity);
    }

    /** Each image's captions, in caption order; checks the map. */
    private static int[][] captionsOf(int[] captionImage, int images, int captions) {
        if (captionImage == null || captionImage.length != captions) {
            throw new IllegalArgumentException(
                    "caption->image map has " + (captionImage == null ? 0 : captionImage.length) + " entries for "
                            + captions + " caption embeddings");
        }
        int[] count = new int[images];
        for (int j = 0; j < captions; j++) {
            if (captionImage[j] < 0 || captionImage[j] >= images) {
                throw new IllegalArgumentException("caption->image map: caption " + j + " names image "
                        + captionImage[j] + ", outside [0, " + images + ")");
            }
            count[captionImage[j]]++;
        }
        int[][] owned = new int[images][];
        for (int i = 0; i < images; i++) {
            if (count[i] == 0) {
                throw new IllegalArgumentException(
                        "caption->image map: image " + i + " has no caption (it could never be retrieved correctly)");
            }
            owned[i] = new int[count[i]];
            count[i] = 0;
        }
        for (int j = 0; j < captions; j++) {
            owned[captionImage[j]][count[captionImage[j]]++] = j;
        }
        return owned;
    }

    /** The most similar of {@code candidates} (ascending indices), the first one on ties. */
    private static int best(double[] s, int offset, int[] candidates) {
        int best = candidates[0];
        for (int c : candidates) {
            if (s[offset + c] > s[offset + best]) {
                best = c;
            }
        }
        return best;
    }

    /** Cosines of every query row with the whole gallery, one block of queries at a time. */
    private static void forEachQuery(INDArray queries, INDArray gallery, QueryVisitor visitor) {
        int q = Math.toIntExact(queries.rows());
        int g = Math.toIntExact(gallery.rows());
        int block = Math.max(1, BLOCK_VALUES / g);
        INDArray galleryT = gallery.transpose();
        for (int start = 0; start < q; start += block) {
            int end = Math.min(q, start + block);
            double[] s = queries.get(NDArrayIndex.interval(start, end), NDArrayIndex.all())
                    .mmul(galleryT)
                    .dup('c')
                    .data()
                    .asDouble();
            for (int r = 0; r < end - start; r++) {
                visitor.visit(start + r, s, r * g);
            }
        }
    }

    /** Receives query {@code query}'s similarities at {@code s[offset, offset + gallery)}. */
    @FunctionalInterface
    private interface QueryVisitor {
        void visit(int query, double[] s, int offset);
    }
}
