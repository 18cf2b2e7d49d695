package io.distillery.student;

import io.distillery.model.layers.SdOps;
import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The text student's side of the data2vec target, built like {@link io.distillery.targets.TextTargets} builds the
 * teacher's, over the real tokens only:
 * <pre>
 *   z_l  = instance_norm over the real tokens (mask m) of h_l   per (text, channel), biased variance, no affine
 *   zbar = (1/L) sum_l z_l
 *   y    = m * layer_norm_no_affine(zbar W_h^T + b_h)           layer norm only when the targets were layer-normed;
 *                                                                W_h only when the widths differ
 * </pre>
 * Input: the MergeVertex of the L block tensors (then {@code unusedInputs} ignored ones, see
 * {@link StudentTargetHead#withUnusedInputs}) and the attention mask, {@code [B, L*T*D + T]}; output {@code [B, T*D_t]},
 * 0 at padded positions. A text without real tokens gives 0 everywhere. SameDiff only (any backend and data type).
 */
public class TextTargetHead extends SameDiffLayer {
    private int blocks;
    private int unusedInputs;
    private int tokens;
    private int dim;
    private int targetDim;
    private boolean layerNorm;
    private double eps;

    protected TextTargetHead() {}

    public TextTargetHead(
            int blocks, int unusedInputs, int tokens, int dim, int targetDim, boolean layerNorm, double eps) {
        if (blocks < 1 || unusedInputs < 0 || tokens < 1 || dim < 1 || targetDim < 1 || !(eps > 0)) {
            throw new IllegalArgumentException("invalid text target head: blocks " + blocks + ", unused "
                    + unusedInputs + ", tokens " + tokens + ", dim " + dim + ", target dim " + targetDim + ", eps "
                    + eps);
        }
        this.blocks = blocks;
        this.unusedInputs = unusedInputs;
        this.tokens = tokens;
        this.dim = dim;
        this.targetDim = targetDim;
        this.layerNorm = layerNorm;
        this.eps = eps;
    }

    public boolean projects() {
        return dim != targetDim;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        if (projects()) {
            params.addWeightParam(StudentTargetHead.PROJECTION_WEIGHT, targetDim, dim);
            params.addBiasParam(StudentTargetHead.PROJECTION_BIAS, targetDim);
        }
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        if (projects()) {
            double limit = Math.sqrt(6.0 / (dim + targetDim)); // Xavier-uniform, bias 0, as StudentTargetHead
            INDArray w = params.get(StudentTargetHead.PROJECTION_WEIGHT);
            w.assign(Nd4j.rand(w.dataType(), w.shape()).muli(2 * limit).subi(limit));
            params.get(StudentTargetHead.PROJECTION_BIAS).assign(0);
        }
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> p, SDVariable mask) {
        long features = (long) (blocks + unusedInputs) * tokens * dim;
        SDVariable x = input.get(SDIndex.all(), SDIndex.interval(0L, features))
                .reshape(-1, blocks + unusedInputs, tokens, dim);
        if (unusedInputs > 0) {
            x = x.get(SDIndex.all(), SDIndex.interval(0, blocks), SDIndex.all(), SDIndex.all());
        }
        SDVariable m = input.get(SDIndex.all(), SDIndex.interval(features, features + tokens));
        SDVariable m4 = m.reshape(-1, 1, tokens, 1);
        // real tokens per text, at least 1 so that a text without any stays finite (and all 0)
        SDVariable count = sd.math.clipByValue(m4.sum(true, 2), 1.0, tokens);
        SDVariable mean = x.mul(m4).sum(true, 2).div(count);
        SDVariable centered = x.sub(mean);
        SDVariable variance = sd.math.square(centered).mul(m4).sum(true, 2).div(count);
        SDVariable normalized = centered.mul(sd.math.rsqrt(variance.add(eps)));
        SDVariable average = normalized.mean(false, 1); // [B, T, D]
        if (projects()) {
            average = SdOps.linear(
                    sd,
                    average,
                    p.get(StudentTargetHead.PROJECTION_WEIGHT),
                    p.get(StudentTargetHead.PROJECTION_BIAS),
                    dim,
                    targetDim,
                    tokens);
        }
        SDVariable out = layerNorm ? SdOps.standardize(sd, average, eps) : average;
        out = out.mul(m.reshape(-1, tokens, 1));
        return SdOps.layerOutput(sd, out.reshape(-1, (long) tokens * targetDim));
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward((long) tokens * targetDim);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        // sizes come from the configs, not from the graph
    }

    public int getBlocks() {
        return blocks;
    }

    public void setBlocks(int blocks) {
        this.blocks = blocks;
    }

    public int getUnusedInputs() {
        return unusedInputs;
    }

    public void setUnusedInputs(int unusedInputs) {
        this.unusedInputs = unusedInputs;
    }

    public int getTokens() {
        return tokens;
    }

    public void setTokens(int tokens) {
        this.tokens = tokens;
    }

    public int getDim() {
        return dim;
    }

    public void setDim(int dim) {
        this.dim = dim;
    }

    public int getTargetDim() {
        return targetDim;
    }

    public void setTargetDim(int targetDim) {
        this.targetDim = targetDim;
    }

    public boolean isLayerNorm() {
        return layerNorm;
    }

    public void setLayerNorm(boolean layerNorm) {
        this.layerNorm = layerNorm;
    }

    public double getEps() {
        return eps;
    }

    public void setEps(double eps) {
        this.eps = eps;
    }
}
