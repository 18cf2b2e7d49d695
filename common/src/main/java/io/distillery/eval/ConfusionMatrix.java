package io.distillery.eval;

import java.util.Arrays;

/** Counts of (true class, predicted class) pairs; rows are true classes, columns predictions. */
public final class ConfusionMatrix {

    private final long[][] counts;
    private final long total;

    private ConfusionMatrix(long[][] counts, long total) {
        this.counts = counts;
        this.total = total;
    }

    /** Classes are 0..numClasses-1; a label or prediction outside that range is an error. */
    public static ConfusionMatrix of(int[] predicted, int[] truth, int numClasses) {
        Accuracy.check(predicted, truth);
        if (numClasses < 1) {
            throw new IllegalArgumentException("number of classes must be at least 1 but was " + numClasses);
        }
        long[][] counts = new long[numClasses][numClasses];
        for (int i = 0; i < truth.length; i++) {
            counts[inRange(truth[i], numClasses, "label", i)][inRange(predicted[i], numClasses, "prediction", i)]++;
        }
        return new ConfusionMatrix(counts, truth.length);
    }

    private static int inRange(int c, int numClasses, String what, int i) {
        if (c < 0 || c >= numClasses) {
            throw new IllegalArgumentException(what + "[" + i + "] = " + c + " is outside [0, " + numClasses + ")");
        }
        return c;
    }

    public int numClasses() {
        return counts.length;
    }

    public long total() {
        return total;
    }

    /** How often class {@code truth} was predicted as {@code predicted}. */
    public long count(int truth, int predicted) {
        return counts[truth][predicted];
    }

    public double accuracy() {
        long correct = 0;
        for (int c = 0; c < counts.length; c++) {
            correct += counts[c][c];
        }
        return (double) correct / total;
    }

    /** Correct / true members of class c; NaN when the class has no members. */
    public double recall(int c) {
        long members = Arrays.stream(counts[c]).sum();
        return members == 0 ? Double.NaN : (double) counts[c][c] / members;
    }

    /** Correct / predicted as class c; NaN when it was never predicted. */
    public double precision(int c) {
        long predicted = 0;
        for (long[] row : counts) {
            predicted += row[c];
        }
        return predicted == 0 ? Double.NaN : (double) counts[c][c] / predicted;
    }

    /** Mean recall over the classes that occur in the labels (balanced accuracy). */
    public double meanPerClassAccuracy() {
        double sum = 0;
        int present = 0;
        for (int c = 0; c < counts.length; c++) {
            double r = recall(c);
            if (!Double.isNaN(r)) {
                sum += r;
                present++;
            }
        }
        return sum / present;
    }

    /** A copy of the counts. */
    public long[][] counts() {
        long[][] copy = new long[counts.length][];
        for (int c = 0; c < counts.length; c++) {
            copy[c] = counts[c].clone();
        }
        return copy;
    }
}
