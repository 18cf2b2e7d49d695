package io.distillery.model.layers;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/** LayerNorm over the channels of every token (data2vec 2.0's {@code norm_pre} on the embeddings). */
public class TokenLayerNorm extends TokenLayer {
    private double eps;

    protected TokenLayerNorm() {}

    /** @param checkpointName key stem, e.g. {@code norm_pre} for {@code norm_pre.weight} / {@code norm_pre.bias} */
    public TokenLayerNorm(int tokens, int dim, double eps, String checkpointName) {
        super(tokens, dim, checkpointName);
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
    protected SDVariable defineTokens(SameDiff sd, SDVariable x, Map<String, SDVariable> p) {
        return SdOps.layerNorm(sd, x, p.get("normW"), p.get("normB"), eps);
    }

    @Override
    public io.distillery.model.kernels.NativeLayerMath nativeMath() {
        return new io.distillery.model.kernels.TokenNormMath(tokens, dim, eps);
    }

    @Override
    public Map<String, String> checkpointKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("normW", checkpointPrefix + ".weight");
        keys.put("normB", checkpointPrefix + ".bias");
        return keys;
    }

    public double getEps() {
        return eps;
    }

    public void setEps(double eps) {
        this.eps = eps;
    }
}
