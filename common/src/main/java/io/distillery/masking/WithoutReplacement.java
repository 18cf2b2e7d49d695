package io.distillery.masking;

import java.util.Arrays;

/**
 * {@code torch.multinomial(w, k, replacement=False)} for 0/1 weights as PyTorch computes it (since 1.7, CPU and
 * CUDA): one Exp(1) key per element of {@code w}, candidates or not, then the k elements with the largest
 * {@code w / key}, i.e. the k candidates with the smallest keys. Drawing a key for every element, not only for the
 * candidates, keeps the draws in step with fairseq's. Equal keys (probability about 2^-53 per pair here, 2^-24 in
 * PyTorch's float32) go to the lower index; PyTorch's {@code topk} leaves that order unspecified.
 */
final class WithoutReplacement {
    private WithoutReplacement() {}

    /**
     * @return the chosen indices, ascending
     * @throws IllegalArgumentException when fewer than k candidates exist (PyTorch raises too)
     */
    static int[] choose(boolean[] candidates, int k, MaskDraws draws) {
        int n = candidates.length;
        double[] keys = new double[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            keys[i] = draws.nextExponential();
            if (candidates[i]) {
                count++;
            }
        }
        if (k > count) {
            throw new IllegalArgumentException(
                    "cannot choose " + k + " of " + count + " candidates without replacement");
        }
        Integer[] order = new Integer[count];
        int c = 0;
        for (int i = 0; i < n; i++) {
            if (candidates[i]) {
                order[c++] = i;
            }
        }
        Arrays.sort(order, (a, b) -> {
            int byKey = Double.compare(keys[a], keys[b]);
            return byKey != 0 ? byKey : Integer.compare(a, b);
        });
        int[] chosen = new int[k];
        for (int i = 0; i < k; i++) {
            chosen[i] = order[i];
        }
        Arrays.sort(chosen);
        return chosen;
    }
}
