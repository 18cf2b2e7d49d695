package io.distillery.model.layers;

import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Base of every Distillery SameDiff layer. Between layers, tokens travel flattened as DL4J feed-forward
 * activations {@code [B, T*D]} (so MergeVertex, loss layers and Spark MultiDataSets need no special handling);
 * inside a layer they are {@code [B, T, D]}. Each layer names the checkpoint key (timm naming) of every parameter.
 *
 * <p>Fields are plain and mutable with a no-arg constructor because DL4J serialises layer configs to JSON
 * (checkpoints, Spark broadcast).
 */
public abstract class TokenLayer extends SameDiffLayer {
    protected int tokens;
    protected int dim;
    protected String checkpointPrefix = "";

    protected TokenLayer() {}

    protected TokenLayer(int tokens, int dim, String checkpointPrefix) {
        this.tokens = tokens;
        this.dim = dim;
        this.checkpointPrefix = checkpointPrefix;
    }

    @Override
    public final SDVariable defineLayer(
            SameDiff sd, SDVariable input, Map<String, SDVariable> params, SDVariable mask) {
        SDVariable out = defineTokens(sd, reshapeInput(input), params);
        return SdOps.layerOutput(sd, out.reshape(-1, (long) tokens * dim));
    }

    /** Input as the layer wants it; default {@code [B, T, D]}. */
    protected SDVariable reshapeInput(SDVariable input) {
        return input.reshape(-1, tokens, dim);
    }

    /** The layer's math on {@code [B, T, D]} tokens, returning {@code [B, T, D]}. */
    protected abstract SDVariable defineTokens(SameDiff sd, SDVariable x, Map<String, SDVariable> params);

    /** The same math written directly with BLAS and ND4J ops: the layer's fast path (see NativeEngine). */
    public abstract io.distillery.model.kernels.NativeLayerMath nativeMath();

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(
            org.deeplearning4j.nn.conf.NeuralNetConfiguration conf,
            java.util.Collection<org.deeplearning4j.optimize.api.TrainingListener> listeners,
            int index,
            INDArray paramsView,
            boolean initializeParams,
            org.nd4j.linalg.api.buffer.DataType dataType) {
        return io.distillery.model.kernels.NativeLayer.instantiate(
                this, this::nativeMath, conf, index, paramsView, initializeParams, dataType);
    }

    /** Parameter name to full checkpoint key (timm naming), for every parameter of the layer. */
    public abstract Map<String, String> checkpointKeys();

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward((long) tokens * dim);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        // sizes come from the model config, not from the graph
    }

    /** timm-style init: N(0, 0.02) clipped at 2 std for matrices, zeros for biases; LayerNorm weights 1. */
    protected static void truncNormal(INDArray param) {
        param.assign(org.nd4j.linalg.factory.Nd4j.randn(param.dataType(), param.shape())
                .muli(0.02));
        org.nd4j.linalg.ops.transforms.Transforms.max(param, -0.04, false);
        org.nd4j.linalg.ops.transforms.Transforms.min(param, 0.04, false);
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

    public String getCheckpointPrefix() {
        return checkpointPrefix;
    }

    public void setCheckpointPrefix(String checkpointPrefix) {
        this.checkpointPrefix = checkpointPrefix;
    }
}
