package io.distillery.student;

import io.distillery.model.layers.SdOps;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The student's side of the data2vec target, built exactly like the teacher's (see
 * {@link io.distillery.targets.ContextualizedTargets}) so the two are comparable token by token:
 * <pre>
 *   z_l  = instance_norm_over_tokens(h_l)            for each of the student's L chosen blocks (CLS dropped first
 *                                                     when the targets are patch tokens only)
 *   zbar = (1/L) sum_l z_l
 *   y    = layer_norm_no_affine(zbar W_h^T + b_h)     W_h only when the student is narrower/wider than the teacher
 * </pre>
 * Input: the MergeVertex of the L block tensors, {@code [B, L*T*D]}; output {@code [B, T'*D_t]}. The projection
 * (TinyBERT's W_h) is the only parameter; it is saved with the student.
 */
public class StudentTargetHead extends SameDiffLayer {
    public static final String PROJECTION_WEIGHT = "projW";
    public static final String PROJECTION_BIAS = "projB";

    private int blocks;
    private int tokens;
    private int dim;
    private int targetDim;
    private boolean dropCls;
    private double eps;
    private int unusedInputs;

    protected StudentTargetHead() {}

    public StudentTargetHead(int blocks, int tokens, int dim, int targetDim, boolean dropCls, double eps) {
        if (blocks < 1 || tokens < (dropCls ? 2 : 1) || dim < 1 || targetDim < 1 || !(eps > 0)) {
            throw new IllegalArgumentException("invalid student target head: blocks " + blocks + ", tokens " + tokens
                    + ", dim " + dim + ", target dim " + targetDim + ", drop CLS " + dropCls + ", eps " + eps);
        }
        this.blocks = blocks;
        this.tokens = tokens;
        this.dim = dim;
        this.targetDim = targetDim;
        this.dropCls = dropCls;
        this.eps = eps;
    }

    /**
     * The same head whose input carries {@code count} more [T, D] tensors after the L used ones, which it ignores:
     * with FFN targets the last block's closing norm feeds nothing, and DL4J cannot backpropagate through a graph
     * with a dangling vertex, so that block's output is merged in and dropped here (its gradient is exactly zero).
     */
    public StudentTargetHead withUnusedInputs(int count) {
        StudentTargetHead copy = new StudentTargetHead(blocks, tokens, dim, targetDim, dropCls, eps);
        copy.unusedInputs = count;
        return copy;
    }

    public boolean projects() {
        return dim != targetDim;
    }

    /** Tokens per row of the output (T - 1 when CLS is dropped). */
    public int outputTokens() {
        return dropCls ? tokens - 1 : tokens;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        if (projects()) {
            params.addWeightParam(PROJECTION_WEIGHT, targetDim, dim);
            params.addBiasParam(PROJECTION_BIAS, targetDim);
        }
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        if (projects()) {
            // Xavier-uniform like torch.nn.Linear's usual re-init in distillation heads; bias 0
            double limit = Math.sqrt(6.0 / (dim + targetDim));
            INDArray w = params.get(PROJECTION_WEIGHT);
            w.assign(org.nd4j.linalg.factory.Nd4j.rand(w.dataType(), w.shape())
                    .muli(2 * limit)
                    .subi(limit));
            params.get(PROJECTION_BIAS).assign(0);
        }
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> p, SDVariable mask) {
        SDVariable x = input.reshape(-1, blocks + unusedInputs, tokens, dim);
        if (dropCls || unusedInputs > 0) {
            x = x.get(
                    SDIndex.all(),
                    SDIndex.interval(0, blocks),
                    SDIndex.interval(dropCls ? 1 : 0, tokens),
                    SDIndex.all());
        }
        int kept = outputTokens();
        // instance norm over the tokens (axis 2 of [B, L, T', D]), biased variance, no affine
        SDVariable centered = x.sub(x.mean(true, 2));
        SDVariable variance = sd.math.square(centered).mean(true, 2);
        SDVariable normalized = centered.mul(sd.math.rsqrt(variance.add(eps)));
        SDVariable average = normalized.mean(false, 1); // [B, T', D]
        if (projects()) {
            average = SdOps.linear(sd, average, p.get(PROJECTION_WEIGHT), p.get(PROJECTION_BIAS), dim, targetDim, kept);
        }
        SDVariable out = SdOps.standardize(sd, average, eps);
        return SdOps.layerOutput(sd, out.reshape(-1, (long) kept * targetDim));
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(
            org.deeplearning4j.nn.conf.NeuralNetConfiguration conf,
            java.util.Collection<org.deeplearning4j.optimize.api.TrainingListener> listeners,
            int index,
            INDArray paramsView,
            boolean initializeParams,
            org.nd4j.linalg.api.buffer.DataType dataType) {
        return io.distillery.model.kernels.NativeLayer.instantiate(
                this,
                () -> new io.distillery.model.kernels.TargetHeadMath(
                        blocks, unusedInputs, tokens, dim, targetDim, dropCls, eps),
                conf,
                index,
                paramsView,
                initializeParams,
                dataType);
    }

    /** Checkpoint names of the projection (empty without one). */
    public Map<String, String> checkpointKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        if (projects()) {
            keys.put(PROJECTION_WEIGHT, "distill_proj.weight");
            keys.put(PROJECTION_BIAS, "distill_proj.bias");
        }
        return keys;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward((long) outputTokens() * targetDim);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        // sizes come from the configs, not from the graph
    }

    public int getUnusedInputs() {
        return unusedInputs;
    }

    public void setUnusedInputs(int unusedInputs) {
        this.unusedInputs = unusedInputs;
    }

    public int getBlocks() {
        return blocks;
    }

    public void setBlocks(int blocks) {
        this.blocks = blocks;
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

    public boolean isDropCls() {
        return dropCls;
    }

    public void setDropCls(boolean dropCls) {
        this.dropCls = dropCls;
    }

    public double getEps() {
        return eps;
    }

    public void setEps(double eps) {
        this.eps = eps;
    }
}
