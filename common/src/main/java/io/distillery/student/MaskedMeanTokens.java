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

/**
 * The mean of a padded text's real tokens: input the MergeVertex of the tokens and the attention mask,
 * {@code [B, T*D + T]}; output {@code [B, D]} (0 for a text without real tokens). No parameters; SameDiff only.
 */
public class MaskedMeanTokens extends SameDiffLayer {
    private int tokens;
    private int dim;

    protected MaskedMeanTokens() {}

    public MaskedMeanTokens(int tokens, int dim) {
        if (tokens < 1 || dim < 1) {
            throw new IllegalArgumentException("masked mean needs tokens and width, got " + tokens + " x " + dim);
        }
        this.tokens = tokens;
        this.dim = dim;
    }

    @Override
    public void defineParameters(SDLayerParams params) {
        // none
    }

    @Override
    public void initializeParameters(Map<String, INDArray> params) {
        // none
    }

    @Override
    public SDVariable defineLayer(SameDiff sd, SDVariable input, Map<String, SDVariable> p, SDVariable mask) {
        long features = (long) tokens * dim;
        SDVariable x = input.get(SDIndex.all(), SDIndex.interval(0L, features)).reshape(-1, tokens, dim);
        SDVariable m = input.get(SDIndex.all(), SDIndex.interval(features, features + tokens))
                .reshape(-1, tokens, 1);
        // real tokens per text, at least 1 so that a text without any stays finite (and 0)
        SDVariable count = sd.math.clipByValue(m.sum(false, 1), 1.0, tokens); // [B, 1]
        SDVariable mean = x.mul(m).sum(false, 1).div(count);
        return SdOps.layerOutput(sd, mean);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.feedForward(dim);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        // sizes come from the config, not from the graph
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
}
