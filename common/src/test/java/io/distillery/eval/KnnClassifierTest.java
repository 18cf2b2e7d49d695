package io.distillery.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class KnnClassifierTest {

    /** a = (1,0) class 0, b = (0,1) class 1, c = (1,1) class 1, d = (-1,0) class 2. */
    private static final float[][] TRAIN = {{1, 0}, {0, 1}, {1, 1}, {-1, 0}};

    private static final int[] LABELS = {0, 1, 1, 2};
    /** q = (2, 0.5): cos to a, b, c, d = 2/sqrt(4.25), 0.5/sqrt(4.25), 2.5/sqrt(8.5), -2/sqrt(4.25). */
    private static final float[][] QUERY = {{2, 0.5f}};

    private static KnnSettings settings(int k, KnnVoting voting) {
        return KnnSettings.dino().withK(k).withVoting(voting);
    }

    @Test
    void neighboursOfAHandComputedQueryAreRankedByCosine() {
        KnnClassifier knn = KnnClassifier.fit(settings(4, KnnVoting.MAJORITY), TRAIN, LABELS);
        KnnClassifier.Neighbours nn = knn.neighbours(Nd4j.create(QUERY));

        assertThat(nn.indices()[0]).containsExactly(0, 2, 1, 3);
        double r = Math.sqrt(4.25);
        assertThat(nn.similarities()[0][0]).isCloseTo((float) (2 / r), within(1e-6f));
        assertThat(nn.similarities()[0][1]).isCloseTo((float) (2.5 / Math.sqrt(8.5)), within(1e-6f));
        assertThat(nn.similarities()[0][2]).isCloseTo((float) (0.5 / r), within(1e-6f));
        assertThat(nn.similarities()[0][3]).isCloseTo((float) (-2 / r), within(1e-6f));
    }

    @Test
    void majorityAndSimilarityWeightedVotesDifferAsComputedByHand() {
        // k = 1: nearest is a -> class 0.
        assertThat(KnnClassifier.fit(settings(1, KnnVoting.MAJORITY), TRAIN, LABELS)
                        .predict(QUERY))
                .containsExactly(0);
        // k = 3 majority: a (class 0), c and b (class 1) -> class 1 has two votes.
        assertThat(KnnClassifier.fit(settings(3, KnnVoting.MAJORITY), TRAIN, LABELS)
                        .predict(QUERY))
                .containsExactly(1);
        // k = 3 weighted, T = 0.07: exp(0.9701/0.07) = 1.04e6 beats exp(0.8575/0.07) + exp(0.2425/0.07) = 2.09e5.
        double r = Math.sqrt(4.25);
        double class0 = Math.exp(2 / r / 0.07);
        double class1 = Math.exp(2.5 / Math.sqrt(8.5) / 0.07) + Math.exp(0.5 / r / 0.07);
        assertThat(class0).isGreaterThan(class1);
        assertThat(KnnClassifier.fit(settings(3, KnnVoting.SIMILARITY_WEIGHTED), TRAIN, LABELS)
                        .predict(QUERY))
                .containsExactly(0);
        // A high temperature flattens the weights back towards majority: exp(s/10) ~ 1 + s/10.
        KnnSettings hot = new KnnSettings(3, KnnVoting.SIMILARITY_WEIGHTED, 10, 16);
        assertThat(KnnClassifier.fit(hot, TRAIN, LABELS).predict(QUERY)).containsExactly(1);
    }

    @Test
    void equalSimilaritiesRankByTrainIndexAndTheNearestNeighbourBreaksVoteTies() {
        float[][] query = {{1, 1}}; // equally similar to (1,0) and (0,1)
        float[][] train = {{1, 0}, {0, 1}};
        for (KnnVoting voting : KnnVoting.values()) {
            KnnClassifier first0 = KnnClassifier.fit(settings(2, voting), train, new int[] {0, 1});
            assertThat(first0.neighbours(Nd4j.create(query)).indices()[0]).containsExactly(0, 1);
            assertThat(first0.predict(query)).containsExactly(0);

            KnnClassifier first1 = KnnClassifier.fit(settings(2, voting), train, new int[] {1, 0});
            assertThat(first1.predict(query)).containsExactly(1);
        }
    }

    @Test
    void majorityTieGoesToTheClassOfTheNearerNeighbour() {
        // Query (1,0); similarities 1, 0.9, 0.8, 0.7 (all distinct); classes by rank: 5, 3, 3, 5 -> 2:2 tie -> 5.
        float[][] train = {unit(0.7), unit(1.0), unit(0.8), unit(0.9)};
        int[] labels = {5, 5, 3, 3};
        KnnClassifier knn = KnnClassifier.fit(settings(4, KnnVoting.MAJORITY), train, labels);
        assertThat(knn.neighbours(Nd4j.create(new float[][] {{1, 0}})).indices()[0])
                .containsExactly(1, 3, 2, 0);
        assertThat(knn.predict(new float[][] {{1, 0}})).containsExactly(5);
        assertThat(knn.numClasses()).isEqualTo(6);
    }

    /** A unit vector with cosine {@code c} to (1, 0). */
    private static float[] unit(double c) {
        return new float[] {(float) c, (float) Math.sqrt(1 - c * c)};
    }

    @Test
    void cosineIgnoresScaleAndAZeroQueryDoesNotGiveNaN() {
        KnnClassifier knn = KnnClassifier.fit(settings(2, KnnVoting.SIMILARITY_WEIGHTED), TRAIN, LABELS);
        assertThat(knn.predict(new float[][] {{200, 50}, {0.002f, 0.0005f}})).containsExactly(0, 0);

        KnnClassifier.Neighbours zero = knn.neighbours(Nd4j.create(new float[][] {{0, 0}}));
        assertThat(zero.similarities()[0]).containsExactly(0f, 0f);
        assertThat(zero.indices()[0]).containsExactly(0, 1);
    }

    @Test
    void batchingOverQueryRowsChangesNothingAndMatchesABruteForceReference() {
        Random rnd = new Random(7);
        float[][] train = randomRows(rnd, 300, 16);
        int[] labels = IntStream.range(0, 300).map(i -> rnd.nextInt(5)).toArray();
        float[][] queries = randomRows(rnd, 53, 16);

        KnnClassifier reference = KnnClassifier.fit(KnnSettings.dino().withK(7).withQueryBatch(1000), train, labels);
        int[] expected = reference.predict(queries);
        for (int batch : new int[] {1, 7, 53}) {
            KnnClassifier knn = KnnClassifier.fit(KnnSettings.dino().withK(7).withQueryBatch(batch), train, labels);
            assertThat(knn.predict(queries)).as("query batch " + batch).containsExactly(expected);
        }

        KnnClassifier.Neighbours nn = reference.neighbours(Nd4j.create(queries));
        for (int q = 0; q < queries.length; q++) {
            assertThat(nn.indices()[q]).containsExactly(bruteForceTopK(train, queries[q], 7));
            assertThat(expected[q]).isEqualTo(bruteForceWeightedVote(train, labels, queries[q], 7, 0.07));
        }
    }

    @Test
    void acceptsDoubleFeaturesAndGivesTheSameResultAsFloat() {
        INDArray train = Nd4j.create(TRAIN).castTo(DataType.DOUBLE);
        KnnClassifier knn = KnnClassifier.fit(settings(3, KnnVoting.MAJORITY), train, LABELS);
        assertThat(knn.predict(Nd4j.create(QUERY).castTo(DataType.DOUBLE))).containsExactly(1);
        assertThat(knn.accuracy(Nd4j.create(new float[][] {{2, 0.5f}, {-3, 0.1f}}), new int[] {1, 2}))
                .isEqualTo(0.5);
    }

    @Test
    void kLargerThanTheTrainSetIsAClearError() {
        assertThatThrownBy(() -> KnnClassifier.fit(KnnSettings.dino(), TRAIN, LABELS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("kNN k = 20 exceeds the train set size (4 rows)");
    }

    @Test
    void emptyOrMalformedInputsAreClearErrors() {
        KnnSettings s = settings(1, KnnVoting.MAJORITY);
        assertThatThrownBy(() -> KnnClassifier.fit(s, new float[0][], new int[0]))
                .hasMessage("kNN train features is empty (need at least one row)");
        assertThatThrownBy(() -> KnnClassifier.fit(s, Nd4j.create(DataType.FLOAT, 0, 4), new int[0]))
                .hasMessage("kNN train features is empty (shape [0, 4])");
        assertThatThrownBy(() -> KnnClassifier.fit(s, new float[][] {{1, 2}, {3}}, new int[] {0, 1}))
                .hasMessage("kNN train features row 1 has 1 values, row 0 has 2");
        assertThatThrownBy(() -> KnnClassifier.fit(s, TRAIN, new int[] {0, 1}))
                .hasMessage("kNN train labels has 2 entries for 4 rows");
        assertThatThrownBy(() -> KnnClassifier.fit(s, TRAIN, new int[] {0, 1, -1, 0}))
                .hasMessage("kNN train labels[2] = -1 is negative");
        assertThatThrownBy(() -> KnnClassifier.fit(s, TRAIN, new int[] {0, 1, 2, 1 << 20}))
                .hasMessage("kNN train labels[3] = 1048576 is not a class index below 1048576 "
                        + "(map raw label ids to 0..C-1 first)");
        assertThatThrownBy(() -> KnnClassifier.fit(s, new float[][] {{1, Float.NaN}}, new int[] {0}))
                .hasMessage("kNN train features contains NaN or infinite values");
        assertThatThrownBy(() -> KnnClassifier.fit(s, Nd4j.create(new float[] {1, 2}), new int[] {0}))
                .hasMessage("kNN train features must be a matrix [N, D] but has shape [2]");

        KnnClassifier knn = KnnClassifier.fit(s, TRAIN, LABELS);
        assertThatThrownBy(() -> knn.predict(new float[0][]))
                .hasMessage("kNN queries is empty (need at least one row)");
        assertThatThrownBy(() -> knn.predict(new float[][] {{1, 2, 3}}))
                .hasMessage("kNN queries have 3 features but the train set has 2");
        assertThatThrownBy(() -> knn.accuracy(Nd4j.create(QUERY), new int[0]))
                .hasMessage("kNN query labels has 0 entries for 1 rows");
    }

    @Test
    void settingsAreValidated() {
        assertThatThrownBy(() -> KnnSettings.dino().withK(0)).hasMessage("kNN k must be at least 1 but was 0");
        assertThatThrownBy(() -> new KnnSettings(5, KnnVoting.MAJORITY, 0, 8))
                .hasMessage("kNN temperature must be positive and finite but was 0.0");
        assertThatThrownBy(() -> new KnnSettings(5, KnnVoting.MAJORITY, Double.NaN, 8))
                .hasMessage("kNN temperature must be positive and finite but was NaN");
        assertThatThrownBy(() -> new KnnSettings(5, null, 0.07, 8)).hasMessage("kNN voting must not be null");
        assertThatThrownBy(() -> KnnSettings.dino().withQueryBatch(0))
                .hasMessage("kNN query batch must be at least 1 but was 0");
        assertThat(KnnSettings.dino()).isEqualTo(new KnnSettings(20, KnnVoting.SIMILARITY_WEIGHTED, 0.07, 256));
    }

    private static float[][] randomRows(Random rnd, int n, int d) {
        float[][] rows = new float[n][d];
        for (float[] row : rows) {
            for (int j = 0; j < d; j++) {
                row[j] = (float) rnd.nextGaussian();
            }
        }
        return rows;
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int j = 0; j < a.length; j++) {
            dot += a[j] * b[j];
            na += a[j] * a[j];
            nb += b[j] * b[j];
        }
        return dot / Math.sqrt(na * nb);
    }

    private static int[] bruteForceTopK(float[][] train, float[] q, int k) {
        return IntStream.range(0, train.length)
                .boxed()
                .sorted(Comparator.comparingDouble((Integer i) -> -cosine(train[i], q)))
                .limit(k)
                .mapToInt(Integer::intValue)
                .toArray();
    }

    private static int bruteForceWeightedVote(float[][] train, int[] labels, float[] q, int k, double t) {
        double[] w = new double[Arrays.stream(labels).max().orElseThrow() + 1];
        for (int i : bruteForceTopK(train, q, k)) {
            w[labels[i]] += Math.exp(cosine(train[i], q) / t);
        }
        return IntStream.range(0, w.length)
                .boxed()
                .max(Comparator.comparingDouble(c -> w[c]))
                .orElseThrow();
    }
}
