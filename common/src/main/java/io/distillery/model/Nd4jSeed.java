package io.distillery.model;

/**
 * The seed handed to DL4J / ND4J for a user's seed. ND4J's native generator does not repeat its draws after
 * {@code setSeed(0)} (measured on 1.0.0-M2.1: two inits of one graph with seed 0 differ, with seed 1 they match),
 * and 0 is every job's default seed. So every user seed goes through a fixed mix that never gives 0: the same
 * user seed always means the same weights.
 */
public final class Nd4jSeed {
    private Nd4jSeed() {}

    public static long of(long userSeed) {
        long z = userSeed + 0x9E3779B97F4A7C15L; // SplitMix64's finaliser
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return z == 0 ? 1 : z;
    }
}
