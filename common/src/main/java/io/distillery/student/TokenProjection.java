package io.distillery.student;

import io.distillery.model.layers.SdOps;
import java.util.Map;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * TinyBERT's learned {@code W_h} for the hidden-state loss: the same linear map applied to every token,
 * {@code [B, T*D_s] -> [B, T*D_t]}, so a student block can be compared with a teacher layer of another width. Plain
 * SameDiff (no hand-written kernel): it is one small matrix product beside the encoder, and ends with
 * {@link SdOps#layerOutput} like every SameDiff layer here (DL4J doubles their gradients otherwise).
 */
public class TokenProjection extends SameDiffLayer {
    public static final String WEIGHT = "W";
    public static final String BIAS = "b";

    private int tokens;
    private int dim;
    private int outDim;

    protected TokenProjection() {}

    public TokenProjection(int tokens, int dim, int outDim) {
        if (tokens < 1 || dim < 1 || outDim < 1) {
            throw new IllegalArgumentException(
                    "invalid token projection: tokens " + tokens + ", dim " + dim + ", out " + outDim);
        }
        this.tokens = tokens;
        this.dim = dim;
        this.outDim = outDim;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        params.addWeightParam(WEIGHT, outDim, dim);
        params.addBiasParam(BIAS, outDim);
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        // Xavier-uniform, bias 0, as the d2v projection (StudentTargetHead) is initialised
        double limit = Math.sqrt(6.0 / (dim + outDim));
        INDArray w = params.get(WEIGHT);
        w.assign(Nd4j.rand(w.dataType(), w.shape()).muli(2 * limit).subi(limit));
        params.get(BIAS).assign(0);
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> p, SDVariable mask) {
        SDVariable x = input.reshape(-1, tokens, dim);
        SDVariable y = SdOps.linear(sd, x, p.get(WEIGHT), p.get(BIAS), dim, outDim, tokens);
        return SdOps.layerOutput(sd, y.reshape(-1, (long) tokens * outDim));
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward((long) tokens * outDim);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        // sizes come from the configs, not from the graph
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

    public int getOutDim() {
        return outDim;
    }

    public void setOutDim(int outDim) {
        this.outDim = outDim;
    }
}
