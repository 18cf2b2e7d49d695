package io.distillery.eval;

/**
 * Settings of {@link KnnClassifier}, validated on construction.
 *
 * @param k           neighbours per query (at most the train set size, checked in {@link KnnClassifier#fit})
 * @param voting      how neighbours vote
 * @param temperature T in {@code exp(sim / T)}; used only by {@link KnnVoting#SIMILARITY_WEIGHTED}
 * @param queryBatch  query rows per similarity block: memory is {@code queryBatch x trainRows} floats
 */
public record KnnSettings(int k, KnnVoting voting, double temperature, int queryBatch) {

    public static final int DEFAULT_K = 20;
    public static final double DEFAULT_TEMPERATURE = 0.07;
    /** 256 x 60k train rows = 61 MB of similarities per block. */
    public static final int DEFAULT_QUERY_BATCH = 256;

    public KnnSettings {
        if (k < 1) {
            throw new IllegalArgumentException("kNN k must be at least 1 but was " + k);
        }
        if (voting == null) {
            throw new IllegalArgumentException("kNN voting must not be null");
        }
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("kNN temperature must be positive and finite but was " + temperature);
        }
        if (queryBatch < 1) {
            throw new IllegalArgumentException("kNN query batch must be at least 1 but was " + queryBatch);
        }
    }

    /** DINO's protocol: k = 20, similarity-weighted votes with T = 0.07. */
    public static KnnSettings dino() {
        return new KnnSettings(DEFAULT_K, KnnVoting.SIMILARITY_WEIGHTED, DEFAULT_TEMPERATURE, DEFAULT_QUERY_BATCH);
    }

    public KnnSettings withK(int newK) {
        return new KnnSettings(newK, voting, temperature, queryBatch);
    }

    public KnnSettings withVoting(KnnVoting newVoting) {
        return new KnnSettings(k, newVoting, temperature, queryBatch);
    }

    public KnnSettings withQueryBatch(int rows) {
        return new KnnSettings(k, voting, temperature, rows);
    }
}
