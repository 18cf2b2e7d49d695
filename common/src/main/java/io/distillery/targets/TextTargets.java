package io.distillery.targets;

import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * data2vec contextualized targets over padded token sequences, as fairseq's {@code Data2VecMultiModel.make_targets}
 * builds them ({@code instance_norm_target_layer}, optional {@code layer_norm_targets}):
 * <ol>
 *   <li>take the last K per-layer tensors [B, T, D] (block outputs or FFN branches, see {@link TargetTensor});</li>
 *   <li>instance-normalise each over the tokens, per (sample, channel), biased variance, no affine;</li>
 *   <li>average them;</li>
 *   <li>optionally layer-normalise each token over its D channels, biased variance, no affine.</li>
 * </ol>
 *
 * <p><b>Deviation from fairseq:</b> fairseq's {@code F.instance_norm} takes its statistics over every position of the
 * padded batch, so a sentence's targets change with the padding its batch happened to get. Here the mean and
 * variance of step 2 are taken over the real tokens only (attention mask 1); padded positions are normalised with
 * those statistics and then set to 0 and marked excluded in the result ({@link MaskedTargets}). A row without any
 * real token is all 0. Statistics are accumulated in double, the result is float32; the inputs are not modified.
 */
public final class TextTargets {

    private TextTargets() {}

    /**
     * @param perLayer      one [B, T, D] tensor per layer, in layer order, of the kind {@code recipe.tensor()} names
     * @param attentionMask [B, T] row-major, 1 for a real token, 0 for padding
     */
    public static MaskedTargets compute(List<INDArray> perLayer, int[] attentionMask, TextTargetRecipe recipe) {
        if (recipe == null) {
            throw new IllegalArgumentException("target recipe must not be null");
        }
        if (perLayer == null || perLayer.size() < recipe.topK()) {
            throw new IllegalArgumentException("topK = " + recipe.topK() + " needs at least that many layers, got "
                    + (perLayer == null ? 0 : perLayer.size()));
        }
        INDArray first = perLayer.get(0);
        if (first.rank() != 3) {
            throw new IllegalArgumentException(
                    "per-layer tensors must be [B, T, D], got shape " + Arrays.toString(first.shape()));
        }
        int b = Math.toIntExact(first.size(0));
        int t = Math.toIntExact(first.size(1));
        int d = Math.toIntExact(first.size(2));
        if (attentionMask.length != b * t) {
            throw new IllegalArgumentException("attention mask has " + attentionMask.length
                    + " entries, the layers are [" + b + ", " + t + ", ...]");
        }
        int[] mask = new int[b * t];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = attentionMask[i] != 0 ? 1 : 0;
        }
        double[] sum = new double[b * t * d];
        for (int l = perLayer.size() - recipe.topK(); l < perLayer.size(); l++) {
            INDArray layer = perLayer.get(l);
            if (!Arrays.equals(layer.shape(), first.shape())) {
                throw new IllegalArgumentException("per-layer tensor " + l + " has shape "
                        + Arrays.toString(layer.shape()) + " but layer 0 has " + Arrays.toString(first.shape()));
            }
            float[] x = layer.dup('c').data().asFloat();
            addInstanceNormalised(x, mask, b, t, d, recipe.eps(), sum);
        }
        float[] out = new float[sum.length];
        double[] row = new double[d];
        for (int s = 0; s < b; s++) {
            for (int p = 0; p < t; p++) {
                if (mask[s * t + p] == 0) {
                    continue; // stays 0: excluded
                }
                int base = (s * t + p) * d;
                for (int c = 0; c < d; c++) {
                    row[c] = sum[base + c] / recipe.topK();
                }
                if (recipe.layerNorm()) {
                    standardize(row, recipe.eps());
                }
                for (int c = 0; c < d; c++) {
                    out[base + c] = (float) row[c];
                }
            }
        }
        return new MaskedTargets(out, mask, b, t, d);
    }

    /** Adds (x - mean) / sqrt(var + eps) per (sample, channel), statistics over real tokens, to {@code sum}. */
    private static void addInstanceNormalised(float[] x, int[] mask, int b, int t, int d, double eps, double[] sum) {
        double[] mean = new double[d];
        double[] scale = new double[d]; // sum of squares, then 1 / std
        for (int s = 0; s < b; s++) {
            Arrays.fill(mean, 0);
            Arrays.fill(scale, 0);
            int count = 0;
            for (int p = 0; p < t; p++) {
                if (mask[s * t + p] == 0) {
                    continue;
                }
                count++;
                int base = (s * t + p) * d;
                for (int c = 0; c < d; c++) {
                    mean[c] += x[base + c];
                }
            }
            if (count == 0) {
                continue; // no statistics: the row stays 0
            }
            for (int c = 0; c < d; c++) {
                mean[c] /= count;
            }
            for (int p = 0; p < t; p++) {
                if (mask[s * t + p] == 0) {
                    continue;
                }
                int base = (s * t + p) * d;
                for (int c = 0; c < d; c++) {
                    double centered = x[base + c] - mean[c];
                    scale[c] += centered * centered;
                }
            }
            for (int c = 0; c < d; c++) {
                scale[c] = 1 / Math.sqrt(scale[c] / count + eps);
            }
            for (int p = 0; p < t; p++) {
                if (mask[s * t + p] == 0) {
                    continue;
                }
                int base = (s * t + p) * d;
                for (int c = 0; c < d; c++) {
                    sum[base + c] += (x[base + c] - mean[c]) * scale[c];
                }
            }
        }
    }

    /** In place: (v - mean) / sqrt(biased var + eps) over the whole vector. */
    private static void standardize(double[] v, double eps) {
        double mean = 0;
        for (double a : v) {
            mean += a;
        }
        mean /= v.length;
        double var = 0;
        for (double a : v) {
            var += (a - mean) * (a - mean);
        }
        double inv = 1 / Math.sqrt(var / v.length + eps);
        for (int i = 0; i < v.length; i++) {
            v[i] = (v[i] - mean) * inv;
        }
    }
}
