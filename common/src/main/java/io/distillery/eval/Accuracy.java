package io.distillery.eval;

/** Top-1 accuracy of predicted class indices. */
public final class Accuracy {

    private Accuracy() {}

    /** The fraction of positions where {@code predicted} equals {@code truth}; both non-empty, same length. */
    public static double of(int[] predicted, int[] truth) {
        return (double) correct(predicted, truth) / truth.length;
    }

    /** How many positions agree. */
    public static long correct(int[] predicted, int[] truth) {
        check(predicted, truth);
        long n = 0;
        for (int i = 0; i < truth.length; i++) {
            if (predicted[i] == truth[i]) {
                n++;
            }
        }
        return n;
    }

    static void check(int[] predicted, int[] truth) {
        if (predicted == null || truth == null) {
            throw new IllegalArgumentException("predictions and labels must not be null");
        }
        if (truth.length == 0) {
            throw new IllegalArgumentException("no labels given: accuracy of an empty set is undefined");
        }
        if (predicted.length != truth.length) {
            throw new IllegalArgumentException(predicted.length + " predictions for " + truth.length + " labels");
        }
    }
}
