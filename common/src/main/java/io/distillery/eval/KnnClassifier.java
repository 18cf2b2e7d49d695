package io.distillery.eval;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * k-nearest-neighbour classifier on frozen features with cosine similarity, as in DINO's {@code eval_knn.py}:
 * train and query rows are L2-normalised (norm clamped at 1e-12, like {@code F.normalize}), similarities are one
 * matrix product per block of {@link KnnSettings#queryBatch()} query rows, and the k most similar train rows vote
 * ({@link KnnVoting}).
 *
 * <p>Everything is deterministic. Neighbours with equal similarity rank by lower train index. Classes with equal
 * vote weight are decided by the nearest neighbour: the class of the better-ranked neighbour wins (for k = 1 and
 * for exact ties this is plain nearest-neighbour classification).
 */
public final class KnnClassifier {

    private static final double MIN_NORM = 1e-12;

    private final KnnSettings settings;
    /** L2-normalised train rows, float32 [N, D]. */
    private final INDArray train;

    private final int[] labels;
    private final int numClasses;

    private KnnClassifier(KnnSettings settings, INDArray train, int[] labels, int numClasses) {
        this.settings = settings;
        this.train = train;
        this.labels = labels;
        this.numClasses = numClasses;
    }

    /** Keeps a normalised float32 copy of the train rows [N, D]; labels are class indices >= 0. */
    public static KnnClassifier fit(KnnSettings settings, INDArray trainFeatures, int[] trainLabels) {
        if (settings == null) {
            throw new IllegalArgumentException("kNN settings must not be null");
        }
        FeatureChecks.checked(trainFeatures, "kNN train features");
        int classes = FeatureChecks.checkLabels(trainLabels, trainFeatures.rows(), "kNN train labels");
        if (settings.k() > trainFeatures.rows()) {
            throw new IllegalArgumentException(
                    "kNN k = " + settings.k() + " exceeds the train set size (" + trainFeatures.rows() + " rows)");
        }
        return new KnnClassifier(settings, normalizeRows(trainFeatures), trainLabels.clone(), classes);
    }

    public static KnnClassifier fit(KnnSettings settings, float[][] trainFeatures, int[] trainLabels) {
        return fit(settings, FeatureChecks.matrix(trainFeatures, "kNN train features"), trainLabels);
    }

    public KnnSettings settings() {
        return settings;
    }

    public int numClasses() {
        return numClasses;
    }

    /** The predicted class of each query row [Q, D]. */
    public int[] predict(INDArray queries) {
        Neighbours nn = neighbours(queries);
        int[] out = new int[nn.indices.length];
        double[] weight = new double[numClasses];
        int[] bestRank = new int[numClasses];
        for (int q = 0; q < out.length; q++) {
            out[q] = vote(nn.indices[q], nn.similarities[q], weight, bestRank);
        }
        return out;
    }

    public int[] predict(float[][] queries) {
        return predict(FeatureChecks.matrix(queries, "kNN queries"));
    }

    /** Top-1 accuracy (fraction in [0, 1]) on labelled queries. */
    public double accuracy(INDArray queries, int[] queryLabels) {
        long rows = FeatureChecks.checked(queries, "kNN queries").rows();
        FeatureChecks.checkLabels(queryLabels, rows, "kNN query labels");
        return Accuracy.of(predict(queries), queryLabels);
    }

    /** The k nearest train rows of every query, nearest first: train indices and cosine similarities. */
    Neighbours neighbours(INDArray queries) {
        FeatureChecks.checked(queries, "kNN queries");
        if (queries.columns() != train.columns()) {
            throw new IllegalArgumentException(
                    "kNN queries have " + queries.columns() + " features but the train set has " + train.columns());
        }
        int q = Math.toIntExact(queries.rows());
        int n = Math.toIntExact(train.rows());
        int k = settings.k();
        int[][] indices = new int[q][];
        float[][] sims = new float[q][];
        INDArray trainT = train.transpose();
        for (int start = 0; start < q; start += settings.queryBatch()) {
            int end = Math.min(q, start + settings.queryBatch());
            INDArray block = normalizeRows(queries.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()));
            float[] s = block.mmul(trainT).dup('c').data().asFloat();
            for (int r = 0; r < end - start; r++) {
                indices[start + r] = new int[k];
                sims[start + r] = new float[k];
                topK(s, r * n, n, indices[start + r], sims[start + r]);
            }
        }
        return new Neighbours(indices, sims);
    }

    /** Nearest-first top k of s[offset, offset + n); strict comparison keeps the lower index first on ties. */
    private static void topK(float[] s, int offset, int n, int[] idx, float[] val) {
        int k = idx.length;
        int size = 0;
        for (int j = 0; j < n; j++) {
            float v = s[offset + j];
            if (size == k && !(v > val[k - 1])) {
                continue;
            }
            int pos = size < k ? size++ : k - 1;
            while (pos > 0 && v > val[pos - 1]) {
                val[pos] = val[pos - 1];
                idx[pos] = idx[pos - 1];
                pos--;
            }
            val[pos] = v;
            idx[pos] = j;
        }
    }

    private int vote(int[] idx, float[] sim, double[] weight, int[] bestRank) {
        Arrays.fill(weight, 0);
        Arrays.fill(bestRank, Integer.MAX_VALUE);
        for (int r = 0; r < idx.length; r++) {
            int c = labels[idx[r]];
            weight[c] += settings.voting() == KnnVoting.MAJORITY ? 1 : Math.exp(sim[r] / settings.temperature());
            bestRank[c] = Math.min(bestRank[c], r);
        }
        int best = labels[idx[0]];
        for (int r = 1; r < idx.length; r++) {
            int c = labels[idx[r]];
            if (weight[c] > weight[best] || (weight[c] == weight[best] && bestRank[c] < bestRank[best])) {
                best = c;
            }
        }
        return best;
    }

    /** x / max(||x||, 1e-12) per row, as a new float32 array. */
    static INDArray normalizeRows(INDArray x) {
        INDArray f = FeatureChecks.as(x, DataType.FLOAT);
        INDArray norms = Transforms.max(f.norm2(1), MIN_NORM, false).reshape(f.rows(), 1);
        return f.divColumnVector(norms);
    }

    /** Neighbour lists per query: {@code indices[q][r]} is the r-th nearest train row, with its similarity. */
    record Neighbours(int[][] indices, float[][] similarities) {}
}
