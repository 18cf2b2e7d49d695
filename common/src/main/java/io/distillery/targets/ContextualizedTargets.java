package io.distillery.targets;

import io.distillery.model.kernels.FloatNorms;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * data2vec 2.0 contextualized targets, as fairseq's {@code Data2VecMultiModel.make_targets} builds them for
 * images ({@code instance_norm_target_layer}, {@code layer_norm_targets}):
 * <ol>
 *   <li>take the last K per-block tensors [B, T, D] (T includes CLS at index 0; with
 *       {@link TargetTokens#PATCHES} it is dropped first);</li>
 *   <li>instance-normalise each over the tokens, per (sample, channel), biased variance, no affine;</li>
 *   <li>sum them in block order and divide by K ({@link #average});</li>
 *   <li>layer-normalise over the D channels of each token, biased variance, no affine ({@link #compute}).</li>
 * </ol>
 * Everything is computed in the inputs' data type; the inputs are not modified.
 */
public final class ContextualizedTargets {

    private static final int TOKEN_AXIS = 1;
    private static final int CHANNEL_AXIS = 2;

    private ContextualizedTargets() {}

    /**
     * The targets [B, T', D] (T' = T - 1 for PATCHES, T for ALL).
     *
     * @param perBlock one [B, T, D] tensor per block, in block order, of the kind {@code recipe.tensor()} names
     */
    public static INDArray compute(List<INDArray> perBlock, TargetRecipe recipe) {
        validate(perBlock, recipe);
        List<INDArray> used = perBlock.subList(perBlock.size() - recipe.topK(), perBlock.size());
        if (FloatNorms.applies(used.toArray(INDArray[]::new))) {
            // one fused pass per sample (io.distillery.model.kernels.FloatNorms), the same float operations in the
            // same order as the steps below
            INDArray first = used.get(0);
            int skip = recipe.tokens() == TargetTokens.ALL ? 0 : 1;
            INDArray out = Nd4j.createUninitialized(
                    DataType.FLOAT, first.size(0), first.size(TOKEN_AXIS) - skip, first.size(CHANNEL_AXIS));
            FloatNorms.contextualizedTargets(used, skip, recipe.eps(), out);
            return out;
        }
        INDArray average = average(perBlock, recipe);
        if (average.dataType() == DataType.FLOAT) {
            // fused loops (io.distillery.model.kernels.FloatNorms): ND4J's broadcast ops cost several passes each
            INDArray rows = average.reshape('c', average.size(0) * average.size(1), average.size(2));
            FloatNorms.standardize(rows, recipe.eps(), rows);
            return average;
        }
        return normalize(average, CHANNEL_AXIS, recipe.eps());
    }

    /**
     * {@link #compute} as a flat C-order float array ([B, T', D]), without a native result array when the fused float
     * path applies (what extract stores).
     */
    public static float[] computeFlat(List<INDArray> perBlock, TargetRecipe recipe) {
        validate(perBlock, recipe);
        List<INDArray> used = perBlock.subList(perBlock.size() - recipe.topK(), perBlock.size());
        if (FloatNorms.applies(used.toArray(INDArray[]::new))) {
            INDArray first = used.get(0);
            int skip = recipe.tokens() == TargetTokens.ALL ? 0 : 1;
            float[] out = new float
                    [Math.toIntExact(first.size(0) * (first.size(TOKEN_AXIS) - skip) * first.size(CHANNEL_AXIS))];
            FloatNorms.contextualizedTargets(used, skip, recipe.eps(), out);
            return out;
        }
        INDArray targets = compute(perBlock, recipe);
        INDArray dense = targets.dup('c');
        float[] out = dense.data().asFloat();
        dense.close();
        targets.close();
        return out;
    }

    /** The average of the instance-normalised last K blocks: the targets before the final layer norm. */
    public static INDArray average(List<INDArray> perBlock, TargetRecipe recipe) {
        validate(perBlock, recipe);
        int k = recipe.topK();
        INDArray sum = null;
        for (int l = perBlock.size() - k; l < perBlock.size(); l++) {
            INDArray tokens = selectTokens(perBlock.get(l), recipe.tokens());
            INDArray z;
            if (tokens.dataType() == DataType.FLOAT) {
                z = tokens.dup('c');
                FloatNorms.instanceNorm(z, recipe.eps(), z);
            } else {
                z = normalize(tokens, TOKEN_AXIS, recipe.eps());
            }
            if (sum == null) {
                sum = z;
            } else {
                sum.addi(z);
                z.close();
            }
        }
        return sum.divi(k);
    }

    private static INDArray selectTokens(INDArray block, TargetTokens tokens) {
        if (tokens == TargetTokens.ALL) {
            return block;
        }
        return block.get(NDArrayIndex.all(), NDArrayIndex.interval(1, block.size(TOKEN_AXIS)), NDArrayIndex.all());
    }

    /** (x - mean) / sqrt(biased var + eps) along {@code axis} of a [B, T, D] tensor, into a new array. */
    private static INDArray normalize(INDArray x, int axis, double eps) {
        int[] kept = axis == TOKEN_AXIS ? new int[] {0, CHANNEL_AXIS} : new int[] {0, TOKEN_AXIS};
        INDArray mean = x.mean(axis);
        INDArray centered = Broadcast.sub(x, mean, x.ulike(), kept);
        INDArray variance = centered.mul(centered).mean(axis);
        INDArray std = Transforms.sqrt(variance.addi(eps), false);
        return Broadcast.div(centered, std, centered, kept);
    }

    private static void validate(List<INDArray> perBlock, TargetRecipe recipe) {
        if (recipe == null) {
            throw new IllegalArgumentException("target recipe must not be null");
        }
        if (perBlock == null || perBlock.isEmpty()) {
            throw new IllegalArgumentException(
                    "no per-block tensors given (need at least topK = " + recipe.topK() + ")");
        }
        if (recipe.topK() > perBlock.size()) {
            throw new IllegalArgumentException(
                    "topK = " + recipe.topK() + " exceeds the number of blocks given (" + perBlock.size() + ")");
        }
        INDArray first = perBlock.get(0);
        for (int l = 0; l < perBlock.size(); l++) {
            INDArray block = perBlock.get(l);
            if (block == null) {
                throw new IllegalArgumentException("per-block tensor " + l + " is null");
            }
            if (block.rank() != 3) {
                throw new IllegalArgumentException(
                        "per-block tensor " + l + " must be [B, T, D], got shape " + Arrays.toString(block.shape()));
            }
            if (!block.dataType().isFPType()) {
                throw new IllegalArgumentException(
                        "per-block tensor " + l + " must be floating point, got " + block.dataType());
            }
            if (!Arrays.equals(block.shape(), first.shape()) || block.dataType() != first.dataType()) {
                throw new IllegalArgumentException("per-block tensor " + l + " has shape "
                        + Arrays.toString(block.shape()) + " " + block.dataType() + " but block 0 has "
                        + Arrays.toString(first.shape()) + " " + first.dataType());
            }
        }
        long tokens = first.size(TOKEN_AXIS);
        if (recipe.tokens() == TargetTokens.PATCHES && tokens < 2) {
            throw new IllegalArgumentException("PATCHES targets need a CLS token and at least one patch, got T = "
                    + tokens + " tokens in shape " + Arrays.toString(first.shape()));
        }
    }
}
