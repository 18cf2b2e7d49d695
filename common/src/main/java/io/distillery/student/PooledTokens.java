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
 * Trainable version of timm Beit's {@code global_pool='avg'} output: {@code fc_norm(mean of the patch tokens)},
 * {@code [B, T*D] -> [B, D]}; the classifier follows as a DL4J output layer. Same math as
 * {@link io.distillery.model.PoolingHead}, so a finetuned model exports to a timm checkpoint with a head.
 */
public class PooledTokens extends SameDiffLayer {
    private int tokens;
    private int dim;
    private double eps;

    protected PooledTokens() {}

    public PooledTokens(int tokens, int dim, double eps) {
        this.tokens = tokens;
        this.dim = dim;
        this.eps = eps;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addBiasParam("normW", dim);
        params.addBiasParam("normB", dim);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        params.get("normW").assign(1);
        params.get("normB").assign(0);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> p, SDVariable mask) {
        SDVariable x = input.reshape(-1, tokens, dim).get(SDIndex.all(), SDIndex.interval(1, tokens), SDIndex.all());
        SDVariable pooled = x.mean(true, 1); // [B, 1, D]
        SDVariable normed = SdOps.layerNorm(sd, pooled, p.get("normW"), p.get("normB"), eps);
        return SdOps.layerOutput(sd, normed.reshape(-1, dim));
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
                () -> new io.distillery.model.kernels.PooledTokensMath(tokens, dim, eps),
                conf,
                index,
                paramsView,
                initializeParams,
                dataType);
    }

    /** timm names of the parameters. */
    public Map<String, String> checkpointKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("normW", "fc_norm.weight");
        keys.put("normB", "fc_norm.bias");
        return keys;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward(dim);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        // sizes come from the model config
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

    public double getEps() {
        return eps;
    }

    public void setEps(double eps) {
        this.eps = eps;
    }
}
