package io.distillery.features;

import java.util.Arrays;

/**
 * Top-k teacher logits, the compact form of {@code store.logits-top-k = K}: per view the K largest logits
 * {@code z_(1) >= ... >= z_(K)} with their class indices, and {@code rest = log sum_{j not in top-k} exp(z_j)}.
 * Selection happens on the writer's side ({@link #select}); {@link #distribution} rebuilds a distribution over all
 * C classes for a reader.
 *
 * <p>The reconstruction is FKD's "marginal smoothing" (Shen and Xing, "A Fast Knowledge Distillation Framework for
 * Visual Recognition", ECCV 2022; {@code Recover_soft_label(label, 'marginal_smoothing_k5', n_classes)} in
 * github.com/szq0214/FKD, {@code utils_FKD.py}): FKD stores the top-k probabilities {@code p_i} of the teacher's
 * full softmax, keeps them, and spreads the remaining mass {@code 1 - sum_topk p_i} uniformly over the other C - K
 * classes. The top-k probabilities of the full softmax need its normaliser over all C logits, which is why
 * {@code rest} is stored beside the K logits: {@code p_i = exp(z_i) / (sum_topk exp(z_k) + exp(rest))}.
 *
 * <p>At a temperature T (FKD has none: its T is 1) the other C - K classes are taken as equal, each with the
 * logit {@code u = rest - log(C - K)} that gives them together the stored mass at T = 1:
 *
 * <pre>
 *   Z   = sum_{k in top-k} exp(z_k / T) + (C - K) exp(u / T)
 *   q_i = exp(z_i / T) / Z          for the K stored classes
 *   q_j = exp(u / T) / Z            for each of the other C - K classes
 * </pre>
 *
 * that is, {@code softmax(z' / T)} of the logits with every missing one filled in with {@code u}. At T = 1 this is
 * exactly FKD's marginal smoothing of the full softmax; for K = C it is the plain {@code softmax(z / T)} (no other
 * classes, {@code rest} unused). See docs/feature-format.md.
 */
public final class TopKLogits {
    private TopKLogits() {}

    /**
     * The K largest of {@code logits[offset .. offset + classes)}, by value descending, ties broken by the lower
     * class index ({@code Float.compare} order: a NaN counts as the largest, so it is selected and caught by the
     * writer's finiteness check). Writes the class indices to {@code index[outOffset ..]} and the values to
     * {@code value[outOffset ..]}, and returns {@code rest}, the log-sum-exp of the other C - K logits
     * ({@code -Infinity} when K = C).
     */
    public static float select(
            float[] logits, int offset, int classes, int k, int[] index, float[] value, int outOffset) {
        if (k < 1 || k > classes) {
            throw new IllegalArgumentException("top-k must be within 1.." + classes + ", got " + k);
        }
        int count = 0;
        for (int c = 0; c < classes; c++) {
            float z = logits[offset + c];
            // classes come in ascending order, so an equal value never displaces an earlier (lower) index
            if (count == k && Float.compare(z, value[outOffset + k - 1]) <= 0) {
                continue;
            }
            int pos = count == k ? k - 1 : count++;
            while (pos > 0 && Float.compare(z, value[outOffset + pos - 1]) > 0) {
                value[outOffset + pos] = value[outOffset + pos - 1];
                index[outOffset + pos] = index[outOffset + pos - 1];
                pos--;
            }
            value[outOffset + pos] = z;
            index[outOffset + pos] = c;
        }
        return rest(logits, offset, classes, index, outOffset, k);
    }

    /** log sum exp over the classes not among {@code index[outOffset .. outOffset + k)}, in double. */
    private static float rest(float[] logits, int offset, int classes, int[] index, int outOffset, int k) {
        boolean[] selected = new boolean[classes];
        for (int i = 0; i < k; i++) {
            selected[index[outOffset + i]] = true;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            if (!selected[c]) {
                max = Math.max(max, logits[offset + c]);
            }
        }
        if (max == Double.NEGATIVE_INFINITY || Double.isNaN(max)) {
            return (float) max; // no other class, or a NaN the writer's check reports
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            if (!selected[c]) {
                sum += Math.exp(logits[offset + c] - max);
            }
        }
        return (float) (max + Math.log(sum));
    }

    /**
     * The distribution over all {@code classes} rebuilt from one view's top-k (see the class comment for the
     * formula).
     *
     * @param index       the K class indices (distinct, within [0, classes))
     * @param value       their logits
     * @param rest        log-sum-exp of the other C - K logits (ignored when K = C)
     * @param temperature T > 0
     */
    public static double[] distribution(int[] index, float[] value, float rest, int classes, double temperature) {
        int k = index.length;
        if (value.length != k) {
            throw new IllegalArgumentException("top-k has " + k + " indices but " + value.length + " values");
        }
        if (k < 1 || k > classes) {
            throw new IllegalArgumentException("top-k must hold 1.." + classes + " classes, got " + k);
        }
        if (!(temperature > 0 && Double.isFinite(temperature))) {
            throw new IllegalArgumentException("temperature must be a finite number > 0, got " + temperature);
        }
        int others = classes - k;
        if (others > 0 && !Float.isFinite(rest)) {
            throw new IllegalArgumentException("rest must be finite when K < C, got " + rest);
        }
        double u = others > 0 ? rest - Math.log(others) : Double.NEGATIVE_INFINITY;
        double max = u / temperature;
        for (float z : value) {
            max = Math.max(max, z / temperature);
        }
        double[] q = new double[classes];
        double tail = others > 0 ? Math.exp(u / temperature - max) : 0;
        Arrays.fill(q, tail);
        double sum = others * tail;
        boolean[] seen = new boolean[classes];
        for (int i = 0; i < k; i++) {
            int c = index[i];
            if (c < 0 || c >= classes || seen[c]) {
                throw new IllegalArgumentException(
                        "top-k class index " + c + " is repeated or outside [0, " + classes + ")");
            }
            seen[c] = true;
            q[c] = Math.exp(value[i] / temperature - max);
            sum += q[c];
        }
        for (int c = 0; c < classes; c++) {
            q[c] /= sum;
        }
        return q;
    }

    /**
     * The C logits {@code z'} whose {@code softmax(z' / T)} is {@link #distribution} at every T: the K stored logits
     * at their classes and {@code u = rest - log(C - K)} everywhere else. A trainer can feed these to any logit loss
     * (kd, dkd) in place of the full logits. Writes {@code classes} floats into {@code out[offset ..]}.
     */
    public static void filledLogits(int[] index, float[] value, float rest, int classes, float[] out, int offset) {
        int k = index.length;
        if (value.length != k || k < 1 || k > classes) {
            throw new IllegalArgumentException("top-k must hold 1.." + classes + " classes with one value each, got "
                    + k + " indices and " + value.length + " values");
        }
        int others = classes - k;
        if (others > 0 && !Float.isFinite(rest)) {
            throw new IllegalArgumentException("rest must be finite when K < C, got " + rest);
        }
        Arrays.fill(out, offset, offset + classes, others > 0 ? (float) (rest - Math.log(others)) : 0f);
        boolean[] seen = new boolean[classes];
        for (int i = 0; i < k; i++) {
            int c = index[i];
            if (c < 0 || c >= classes || seen[c]) {
                throw new IllegalArgumentException(
                        "top-k class index " + c + " is repeated or outside [0, " + classes + ")");
            }
            seen[c] = true;
            out[offset + c] = value[i];
        }
    }

    /** {@link #distribution} from one row's packed cells ({@code value} and {@code rest} in {@code dtype}). */
    public static double[] distribution(
            byte[] indexCell, byte[] valueCell, byte[] restCell, TensorDType dtype, int classes, double temperature) {
        float[] rest = TensorPacking.unpack(restCell, dtype);
        if (rest.length != 1) {
            throw new IllegalArgumentException("logits_topk_rest cell holds " + rest.length + " values, not 1");
        }
        return distribution(
                TensorPacking.unpackInts(indexCell),
                TensorPacking.unpack(valueCell, dtype),
                rest[0],
                classes,
                temperature);
    }
}
