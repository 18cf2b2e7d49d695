package io.distillery.eval;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * CLIP zero-shot classification from text embeddings of prompt templates, as open_clip builds it
 * ({@code training/zero_shot.py} {@code zero_shot_classifier}): each template embedding is L2-normalised, the
 * templates of a class are averaged and the mean is normalised again; that is the class weight. An image is
 * classified by the highest cosine between its normalised embedding and the class weights (open_clip's factor 100
 * does not change the order). Computed in double.
 *
 * <p>Ties are broken deterministically: classes with equal cosine rank by lower class index (a stable sort), so
 * the prediction is the lowest-indexed best class and top-k holds the first k classes in that order. With fewer
 * than k classes every label is within the top k. Zero embeddings are an error (open_clip would give NaN).
 */
public final class ZeroShotClassifier {

    /** Images per similarity block: memory is this many rows times the number of classes. */
    private static final int IMAGE_BLOCK = 4096;

    /** Unit class weights, double [C, D]. */
    private final INDArray weights;

    private ZeroShotClassifier(INDArray weights) {
        this.weights = weights;
    }

    /** Text embeddings [classes, templates, D] (prompt c * T + t reshaped, see {@link PromptTemplates}). */
    public static ZeroShotClassifier fromTemplateEmbeddings(INDArray classTemplateEmbeddings) {
        INDArray e = classTemplateEmbeddings;
        if (e == null || e.rank() != 3) {
            throw new IllegalArgumentException(
                    "zero-shot text embeddings must be [classes, templates, D] but have shape "
                            + (e == null ? "null" : Arrays.toString(e.shape())));
        }
        int classes = Math.toIntExact(e.size(0));
        int templates = Math.toIntExact(e.size(1));
        int dim = Math.toIntExact(e.size(2));
        if (classes == 0 || templates == 0 || dim == 0) {
            throw new IllegalArgumentException(
                    "zero-shot text embeddings are empty: shape " + Arrays.toString(e.shape()));
        }
        INDArray units = UnitRows.of(e.reshape('c', (long) classes * templates, dim), "zero-shot text embeddings");
        INDArray mean = units.reshape('c', classes, templates, dim).mean(1);
        double[] norms = mean.norm2(1).data().asDouble();
        for (int c = 0; c < classes; c++) {
            if (!(norms[c] > 1e-12)) {
                throw new IllegalArgumentException("zero-shot class " + c + ": its " + templates
                        + " template embeddings cancel out (mean of the unit vectors is zero)");
            }
        }
        return new ZeroShotClassifier(mean.divColumnVector(mean.norm2(1).reshape(classes, 1)));
    }

    /** As {@link #fromTemplateEmbeddings(INDArray)}, from nested arrays [class][template][D] (all the same size). */
    public static ZeroShotClassifier fromTemplateEmbeddings(float[][][] classTemplateEmbeddings) {
        float[][][] e = classTemplateEmbeddings;
        if (e == null || e.length == 0 || e[0] == null || e[0].length == 0 || e[0][0] == null) {
            throw new IllegalArgumentException("zero-shot text embeddings are empty (need [classes][templates][D])");
        }
        int templates = e[0].length;
        int dim = e[0][0].length;
        float[] flat = new float[e.length * templates * dim];
        for (int c = 0; c < e.length; c++) {
            if (e[c] == null || e[c].length != templates) {
                throw new IllegalArgumentException("zero-shot text embeddings: class " + c + " has "
                        + (e[c] == null ? 0 : e[c].length) + " templates, class 0 has " + templates);
            }
            for (int t = 0; t < templates; t++) {
                if (e[c][t] == null || e[c][t].length != dim) {
                    throw new IllegalArgumentException("zero-shot text embeddings: class " + c + " template " + t
                            + " has dimension " + (e[c][t] == null ? 0 : e[c][t].length) + ", expected " + dim);
                }
                System.arraycopy(e[c][t], 0, flat, (c * templates + t) * dim, dim);
            }
        }
        return fromTemplateEmbeddings(Nd4j.create(flat, new long[] {e.length, templates, dim}, 'c'));
    }

    public int numClasses() {
        return Math.toIntExact(weights.rows());
    }

    public int dimension() {
        return Math.toIntExact(weights.columns());
    }

    /** A copy of the unit class weights, double [C, D] (open_clip's classifier transposed). */
    public INDArray weights() {
        return weights.dup();
    }

    /** The best class of each image embedding [N, D]. */
    public int[] predict(INDArray images) {
        int[] out = new int[Math.toIntExact(checked(images).rows())];
        forEachBlock(images, (row, s, offset) -> out[row] = argmax(s, offset, numClasses()));
        return out;
    }

    /** Top-1 and top-5 hits of labelled image embeddings [N, D]; labels are class indices below {@link #numClasses()}. */
    public ZeroShotAccuracy accuracy(INDArray images, int[] labels) {
        long rows = checked(images).rows();
        int classes = FeatureChecks.checkLabels(labels, rows, "zero-shot image labels");
        if (classes > numClasses()) {
            throw new IllegalArgumentException("zero-shot image labels go up to " + (classes - 1)
                    + " but the classifier has " + numClasses() + " classes");
        }
        long[] hits = new long[2];
        forEachBlock(images, (row, s, offset) -> {
            int rank = UnitRows.rankOf(s, offset, numClasses(), labels[row]);
            hits[0] += rank < 1 ? 1 : 0;
            hits[1] += rank < 5 ? 1 : 0;
        });
        return new ZeroShotAccuracy(hits[0], hits[1], rows);
    }

    private INDArray checked(INDArray images) {
        FeatureChecks.checked(images, "zero-shot image embeddings");
        UnitRows.sameDimension(images, "zero-shot image embeddings", weights, "the class text embeddings");
        return images;
    }

    /** Cosine of every image with every class, one block of images at a time; zero image rows are an error. */
    private void forEachBlock(INDArray images, RowVisitor visitor) {
        int n = Math.toIntExact(images.rows());
        int c = numClasses();
        INDArray weightsT = weights.transpose();
        for (int start = 0; start < n; start += IMAGE_BLOCK) {
            int end = Math.min(n, start + IMAGE_BLOCK);
            INDArray block = images.get(NDArrayIndex.interval(start, end), NDArrayIndex.all());
            double[] s = UnitRows.of(block, "zero-shot image embeddings", start)
                    .mmul(weightsT)
                    .dup('c')
                    .data()
                    .asDouble();
            for (int r = 0; r < end - start; r++) {
                visitor.visit(start + r, s, r * c);
            }
        }
    }

    /** The first index of the largest value in s[offset, offset + n). */
    private static int argmax(double[] s, int offset, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (s[offset + j] > s[offset + best]) {
                best = j;
            }
        }
        return best;
    }

    /** Receives row {@code row}'s similarities at {@code s[offset, offset + classes)}. */
    @FunctionalInterface
    private interface RowVisitor {
        void visit(int row, double[] s, int offset);
    }
}
